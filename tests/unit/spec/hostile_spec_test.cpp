// Specs built to crash a parser: 100 000-character values and nesting thousands deep are ConfigErrors with a
// message, never a stack overflow (std::regex and recursive descent used to segfault on them).

#include <gtest/gtest.h>

#include <string>

#include "unit/spec/spec_files.hpp"
#include "structlab/error.hpp"
#include "structlab/spec/loader.hpp"

namespace structlab::spec::testing {
namespace {

TEST(HostileSpec, A100000DigitNumberInSetIsOutOfRange) {
  std::string digits(100000, '9');
  std::string message = config_error_of(kMinimalSpec, {"structure.n=" + digits});
  EXPECT_NE(message.find("structure.n: integer 999999999999"), std::string::npos) << message.substr(0, 400);
  EXPECT_NE(message.find("(100000 characters) is out of range"), std::string::npos) << message.substr(0, 400);
  EXPECT_LT(message.size(), 1000u) << "the message repeats the whole value";
}

TEST(HostileSpec, A100000CharacterRealIsReadWithoutRecursion) {
  // a plain scalar that looks like a real all the way: recognised in one pass, then range-checked
  std::string real = "-0." + std::string(100000, '1');
  std::string message = config_error_of(std::string(kMinimalSpec) + "training: {lr: " + real + "}\n");
  EXPECT_NE(message.find("training.lr"), std::string::npos) << message.substr(0, 400);
  EXPECT_NE(message.find("expected a real > 0"), std::string::npos) << message.substr(0, 400);
}

TEST(HostileSpec, A100000CharacterDeviceIsRefusedWithAMessage) {
  std::string device = "cuda:" + std::string(100000, '1') + "x";
  std::string message = config_error_of(std::string(kMinimalSpec) + "training: {device: \"" + device + "\"}\n");
  EXPECT_NE(message.find("training.device"), std::string::npos) << message.substr(0, 400);
  EXPECT_NE(message.find("expected cpu, cuda or cuda:N"), std::string::npos) << message.substr(0, 400);
}

TEST(HostileSpec, YamlNested100000DeepIsASyntaxError) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  std::string message = config_error_of(std::string(kMinimalSpec) + "seeds: " + deep + "\n");
  EXPECT_NE(message.find("SPEC:5:"), std::string::npos) << message.substr(0, 400);
  EXPECT_NE(message.find("YAML syntax error"), std::string::npos) << message.substr(0, 400);
  EXPECT_NE(message.find("nesting depth"), std::string::npos) << message.substr(0, 400);
}

TEST(HostileSpec, YamlNested1000DeepInAPluginParameterIsRefused) {
  std::string deep = std::string(1000, '[') + "1" + std::string(1000, ']');
  std::string message =
      config_error_of(std::string(kMinimalSpec).replace(std::string(kMinimalSpec).find("n: 5"), 4, "n: " + deep));
  // yaml-cpp's own depth guard stops it first, and the message says so
  EXPECT_NE(message.find("SPEC:3:"), std::string::npos) << message.substr(0, 400);
  EXPECT_NE(message.find("nesting depth"), std::string::npos) << message.substr(0, 400);
}

}  // namespace
}  // namespace structlab::spec::testing
