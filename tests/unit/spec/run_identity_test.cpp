// Run identity and plan limits: ids that cannot collide into one run, experiment names that stay one plain
// file name, grids too large to plan refused before they are expanded.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "spec_files.hpp"

namespace structlab::spec {
namespace {

using namespace testing;

#define EXPECT_CONTAINS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

// kMinimalSpec with another experiment name.
std::string named(const std::string& name) {
  std::string spec = kMinimalSpec;
  const std::string original = "experiment: toy\n";
  return spec.replace(spec.find(original), original.size(), "experiment: " + name + "\n");
}

TEST(RunIdentity, CollidingShortIdsGetTheWholeHash) {
  std::set<std::string> taken;
  EXPECT_EQ(unique_run_id("exp", "0123456789abcdef", taken), "exp-0123456789");
  // a different run whose first 10 digits are the same is told apart, not merged
  EXPECT_EQ(unique_run_id("exp", "0123456789ffffff", taken), "exp-0123456789ffffff");
  EXPECT_EQ(unique_run_id("exp", "aaaaaaaaaaaaaaaa", taken), "exp-aaaaaaaaaa");
}

TEST(RunIdentity, SeedsWithCollidingShortIdsStayTwoRuns) {
  // with one-digit ids, 17 seeds must collide somewhere: every run keeps an id of its own
  std::set<std::string> taken;
  std::set<std::string> hashes;
  for (int seed = 0; seed < 40; ++seed) {
    std::string hash = fmt::format("{:016x}", std::hash<std::string>{}(std::to_string(seed)));
    hashes.insert(hash);
    unique_run_id("exp", hash, taken, 1);
  }
  EXPECT_EQ(taken.size(), hashes.size());
}

TEST(RunIdentity, ExperimentNameMustBeOnePlainFileName) {
  EXPECT_CONTAINS(config_error_of(named("..")), "experiment: expected a name of 1 to 200 letters");
  EXPECT_CONTAINS(config_error_of(named("a/b")), "other than '.' and '..'");
  const std::string huge(100000, 'x');
  const std::string message = config_error_of(named(huge));
  EXPECT_CONTAINS(message, "(100000 characters)");
  EXPECT_LT(message.size(), 400u) << "the message shows the start of a long name, not all of it";
  EXPECT_CONTAINS(config_error_of(named(std::string(201, 'y'))), "experiment: expected a name of 1 to 200");
}

TEST(RunIdentity, AGridTooLargeToPlanIsRefusedBeforeExpanding) {
  std::string values = "[";
  for (int i = 0; i < 1000; ++i) values += (i ? ", " : "") + std::to_string(i + 1);
  values += "]";
  const std::string spec = std::string(kMinimalSpec) + "grid:\n  training.epochs: " + values +
                           "\n  training.batch_size: " + values + "\n  training.threads: " + values + "\n";
  const std::string message = config_error_of(spec);
  EXPECT_CONTAINS(message,
                  "1 seeds x 1000 values of training.epochs x 1000 values of training.batch_size x 1000 "
                  "values of training.threads give more than 100000 runs");
}

}  // namespace
}  // namespace structlab::spec
