#include "structlab/params.hpp"

#include <gtest/gtest.h>

#include "structlab/error.hpp"

namespace structlab {
namespace {

std::vector<ParamSpec> watts_strogatz_like_specs() {
  return {required_param("n", ParamType::integer, "number of vertices"),
          optional_param("p", 0.5, "rewiring probability"),
          optional_param("widths", std::vector<std::int64_t>{10, 10}, "layer widths"),
          optional_param("name", std::string("ws"), "label")};
}

Params located(const std::string& key, ParamValue value, int line = 3, int column = 7) {
  Params params("generator 'ws'", "structure");
  params.set(key, std::move(value), SourceLocation{"exp.yaml", line, column});
  return params;
}

template <typename Fn>
std::string config_error_of(Fn&& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return "";
}

TEST(Params, TypedGettersReturnWhatWasSet) {
  Params params;
  params.set("flag", true);
  params.set("n", std::int64_t{12});
  params.set("p", 0.25);
  params.set("path", std::string("/tmp/x"));
  params.set("widths", std::vector<std::int64_t>{3, 4});
  EXPECT_TRUE(params.get_bool("flag"));
  EXPECT_EQ(params.get_int("n"), 12);
  EXPECT_DOUBLE_EQ(params.get_double("p"), 0.25);
  EXPECT_EQ(params.get_string("path"), "/tmp/x");
  EXPECT_EQ(params.get_int_list("widths"), (std::vector<std::int64_t>{3, 4}));
}

TEST(Params, IntegerIsAcceptedWhereARealIsAsked) {
  Params params;
  params.set("p", std::int64_t{1});
  EXPECT_DOUBLE_EQ(params.get_double("p"), 1.0);
}

TEST(Params, MistypedGetNamesKeyExpectedTypeAndLocation) {
  Params params = located("n", std::string("ten"));
  std::string message = config_error_of([&] { params.get_int("n"); });
  EXPECT_NE(message.find("exp.yaml:3:7"), std::string::npos) << message;
  EXPECT_NE(message.find("structure.n"), std::string::npos) << message;
  EXPECT_NE(message.find("expected a integer"), std::string::npos) << message;
  EXPECT_NE(message.find("generator 'ws'"), std::string::npos) << message;
}

TEST(Params, ValidationFillsDefaults) {
  Params params = located("n", std::int64_t{100});
  Params checked = params.validated(watts_strogatz_like_specs());
  EXPECT_EQ(checked.get_int("n"), 100);
  EXPECT_DOUBLE_EQ(checked.get_double("p"), 0.5);
  EXPECT_EQ(checked.get_int_list("widths"), (std::vector<std::int64_t>{10, 10}));
  EXPECT_EQ(checked.get_string("name"), "ws");
}

TEST(Params, ValidationConvertsIntegersToDeclaredReals) {
  Params params = located("n", std::int64_t{10});
  params.set("p", std::int64_t{1});
  Params checked = params.validated(watts_strogatz_like_specs());
  EXPECT_EQ(type_of(checked.value("p")), ParamType::real);
}

TEST(Params, UnknownKeyIsAnErrorListingTheKnownOnes) {
  Params params = located("n", std::int64_t{10});
  params.set("q", 0.1, SourceLocation{"exp.yaml", 5, 3});
  std::string message = config_error_of([&] { params.validated(watts_strogatz_like_specs()); });
  EXPECT_NE(message.find("exp.yaml:5:3"), std::string::npos) << message;
  EXPECT_NE(message.find("structure.q"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown parameter"), std::string::npos) << message;
  EXPECT_NE(message.find("n, p, widths, name"), std::string::npos) << message;
}

TEST(Params, MissingRequiredKeyIsAnError) {
  Params params("generator 'ws'", "structure");
  std::string message = config_error_of([&] { params.validated(watts_strogatz_like_specs()); });
  EXPECT_NE(message.find("structure.n"), std::string::npos) << message;
  EXPECT_NE(message.find("required"), std::string::npos) << message;
}

TEST(Params, WrongTypeInValidationNamesBothTypes) {
  Params params = located("n", 2.5);
  std::string message = config_error_of([&] { params.validated(watts_strogatz_like_specs()); });
  EXPECT_NE(message.find("expected a integer, got the real 2.5"), std::string::npos) << message;
}

TEST(Params, ScalarIsAcceptedWhereAListIsDeclared) {
  Params params = located("n", std::int64_t{4});
  params.set("widths", std::int64_t{7});
  Params checked = params.validated(watts_strogatz_like_specs());
  EXPECT_EQ(checked.get_int_list("widths"), (std::vector<std::int64_t>{7}));
}

TEST(Params, FailThrowsWithPluginMessage) {
  Params params = located("n", std::int64_t{-1});
  std::string message = config_error_of([&] { params.fail("n", "must be positive"); });
  EXPECT_EQ(message, "exp.yaml:3:7: structure.n: generator 'ws': must be positive");
}

TEST(Params, YamlTextOfValues) {
  EXPECT_EQ(to_yaml(ParamValue(true)), "true");
  EXPECT_EQ(to_yaml(ParamValue(std::int64_t{4})), "4");
  EXPECT_EQ(to_yaml(ParamValue(0.5)), "0.5");
  EXPECT_EQ(to_yaml(ParamValue(1.0)), "1.0");
  EXPECT_EQ(to_yaml(ParamValue(std::string("index"))), "index");
  EXPECT_EQ(to_yaml(ParamValue(std::string("a b"))), "\"a b\"");
  EXPECT_EQ(to_yaml(ParamValue(std::string("true"))), "\"true\"");
  EXPECT_EQ(to_yaml(ParamValue(std::vector<std::int64_t>{4, 6})), "[4, 6]");
}

}  // namespace
}  // namespace structlab
