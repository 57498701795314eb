// The linear-time recognisers that replace std::regex on input text (a 100 000-character value used to
// overflow the stack in std::regex's recursion).

#include "core/plain_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace structlab::detail {
namespace {

TEST(PlainText, IntegersAsYamlResolvesThem) {
  EXPECT_TRUE(is_integer_text("0"));
  EXPECT_TRUE(is_integer_text("-12"));
  EXPECT_TRUE(is_integer_text("+7"));
  EXPECT_FALSE(is_integer_text(""));
  EXPECT_FALSE(is_integer_text("-"));
  EXPECT_FALSE(is_integer_text("1.0"));
  EXPECT_FALSE(is_integer_text("12a"));
}

TEST(PlainText, RealsAsYamlResolvesThem) {
  for (const char* text : {"1.5", ".5", "5.", "-1e3", "+2.5E-7", "1e10", ".inf", "-.Inf", "+.INF", ".nan", ".NaN"})
    EXPECT_TRUE(is_real_text(text)) << text;
  for (const char* text : {"", ".", "e5", "1e", "1e+", "1.2.3", "-.nan", "inf", "nan", "1,5", "0x10"})
    EXPECT_FALSE(is_real_text(text)) << text;
}

TEST(PlainText, DevicesAndWords) {
  EXPECT_TRUE(is_device_text("cpu"));
  EXPECT_TRUE(is_device_text("cuda"));
  EXPECT_TRUE(is_device_text("cuda:12"));
  EXPECT_FALSE(is_device_text("cuda:"));
  EXPECT_FALSE(is_device_text("cuda:x"));
  EXPECT_FALSE(is_device_text("gpu"));
  EXPECT_TRUE(is_word_text("ws-grid_1.a", "_.-"));
  EXPECT_FALSE(is_word_text("a/b", "_.-"));
  EXPECT_FALSE(is_word_text("", "_.-"));
}

TEST(PlainText, AMillionCharactersTakeNoRecursion) {
  std::string digits(1'000'000, '7');
  EXPECT_TRUE(is_integer_text(digits));
  EXPECT_TRUE(is_real_text(digits + ".5e3"));
  EXPECT_TRUE(is_device_text("cuda:" + digits));
  EXPECT_TRUE(is_word_text(std::string(1'000'000, 'a'), "_"));
}

}  // namespace
}  // namespace structlab::detail
