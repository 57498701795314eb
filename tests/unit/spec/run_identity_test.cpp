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
                  "values of training.threads give more than 10000000 runs");
}

// "[first, first+1, ..., last]"
std::string integers(int first, int last) {
  std::string values = "[";
  for (int i = first; i <= last; ++i) values += (i > first ? ", " : "") + std::to_string(i);
  return values + "]";
}

// 40 x 30 x 10 grid points, one seed: more runs than a plan holds
std::string large_grid_spec(const std::string& extra_epochs = "") {
  std::string epochs = integers(1, 40);
  if (!extra_epochs.empty()) epochs = epochs.substr(0, epochs.size() - 1) + ", " + extra_epochs + "]";
  return std::string(kMinimalSpec) + "grid:\n  training.epochs: " + epochs +
         "\n  training.batch_size: " + integers(1, 30) + "\n  training.threads: " + integers(1, 10) + "\n";
}

TEST(LargeGrid, IsCountedNotExpandedAndBuildsAnyRunOnDemand) {
  const ExperimentPlan plan = plan_text(large_grid_spec());
  ASSERT_GT(12000u, kWholePlanRunLimit);
  EXPECT_EQ(plan.run_count(), 12000u);
  EXPECT_TRUE(plan.runs.empty()) << "a large plan holds no runs";
  ASSERT_TRUE(plan.large);

  // run i is the i-th combination, the first axis varying slowest, as in a plan that holds its runs
  const RunSpec run = plan.run_at(1 * 300 + 2 * 10 + 3);
  EXPECT_EQ(run.index, 323);
  ASSERT_EQ(run.grid_point.size(), 3u);
  EXPECT_EQ(run.grid_point[0], std::make_pair(std::string("training.epochs"), std::string("2")));
  EXPECT_EQ(run.grid_point[1], std::make_pair(std::string("training.batch_size"), std::string("3")));
  EXPECT_EQ(run.grid_point[2], std::make_pair(std::string("training.threads"), std::string("4")));
  EXPECT_EQ(run.training.epochs, 2);
  EXPECT_EQ(run.training.batch_size, 3);
  // its id is the whole hash (no list of every run to tell short ids apart), and the hash is the one the
  // same run has when it is planned on its own
  EXPECT_EQ(run.spec_hash.size(), 16u);
  EXPECT_EQ(run.run_id, "toy-" + run.spec_hash);
  const ExperimentPlan alone = plan_text(
      large_grid_spec(), {"grid.training.epochs=[2]", "grid.training.batch_size=[3]", "grid.training.threads=[4]"});
  ASSERT_EQ(alone.run_count(), 1u);
  EXPECT_FALSE(alone.large);
  EXPECT_EQ(alone.runs.front().spec_hash, run.spec_hash);
  EXPECT_EQ(alone.runs.front().canonical_yaml, run.canonical_yaml);

  const RunSpec last = plan.run_at(11999);
  EXPECT_EQ(last.grid_point[0].second, "40");
  EXPECT_EQ(last.grid_point[2].second, "10");
  EXPECT_NE(last.run_id, run.run_id);
  try {
    plan.run_at(12000);
    ADD_FAILURE() << "run 12000 of 12000 was built";
  } catch (const ConfigError& e) {
    EXPECT_CONTAINS(std::string(e.what()), "it has 12000 runs, so expected 0..11999");
  }
}

TEST(LargeGrid, EachValueIsStillValidatedBeforeAnyRun) {
  const std::string message = config_error_of(large_grid_spec("many"));
  EXPECT_CONTAINS(message, "training.epochs");
}

TEST(LargeGrid, SeedsVaryFastest) {
  const ExperimentPlan plan = plan_text(std::string(large_grid_spec()) + "seeds: [5, 6]\n");
  EXPECT_EQ(plan.run_count(), 24000u);
  EXPECT_EQ(plan.run_at(0).seed, 5u);
  EXPECT_EQ(plan.run_at(1).seed, 6u);
  EXPECT_EQ(plan.run_at(1).grid_point, plan.run_at(0).grid_point);
  EXPECT_EQ(plan.run_at(2).grid_point[2].second, "2");
}

}  // namespace
}  // namespace structlab::spec
