#include "structlab/spec/value_text.hpp"

#include <gtest/gtest.h>

#include "structlab/error.hpp"

namespace structlab::spec {
namespace {

TEST(ValueText, ScalarsGetTheirYamlTypes) {
  EXPECT_EQ(parse_param_value("true"), ParamValue(true));
  EXPECT_EQ(parse_param_value("12"), ParamValue(std::int64_t{12}));
  EXPECT_EQ(parse_param_value("-3"), ParamValue(std::int64_t{-3}));
  EXPECT_EQ(parse_param_value("0.5"), ParamValue(0.5));
  EXPECT_EQ(parse_param_value("1e-3"), ParamValue(1e-3));
  EXPECT_EQ(parse_param_value("index"), ParamValue(std::string("index")));
  EXPECT_EQ(parse_param_value("\"12\""), ParamValue(std::string("12")));
}

TEST(ValueText, FlowListsGetElementTypes) {
  EXPECT_EQ(parse_param_value("[4, 6]"), ParamValue(std::vector<std::int64_t>{4, 6}));
  EXPECT_EQ(parse_param_value("[1, 0.5]"), ParamValue(std::vector<double>{1.0, 0.5}));
  EXPECT_EQ(parse_param_value("[a, b]"), ParamValue(std::vector<std::string>{"a", "b"}));
}

TEST(ValueText, MixedListMappingAndNullAreErrors) {
  EXPECT_THROW(parse_param_value("[1, a]"), ConfigError);
  EXPECT_THROW(parse_param_value("{a: 1}"), ConfigError);
  EXPECT_THROW(parse_param_value(""), ConfigError);
  EXPECT_THROW(parse_param_value("[[1], [2]]"), ConfigError);
}

TEST(ValueText, AssignmentsBecomeParams) {
  Params params = parse_assignments({"n=100", "p=0.5", "widths=[10, 20]"});
  EXPECT_EQ(params.get_int("n"), 100);
  EXPECT_DOUBLE_EQ(params.get_double("p"), 0.5);
  EXPECT_EQ(params.get_int_list("widths"), (std::vector<std::int64_t>{10, 20}));
  EXPECT_EQ(params.location_of("n").file, "command line");
}

TEST(ValueText, AssignmentWithoutEqualsNamesTheItem) {
  try {
    parse_assignments({"n100"});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'n100': expected key=value"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace structlab::spec
