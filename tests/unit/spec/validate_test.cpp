// validate_experiment and `structlab validate`: every problem at once, or the run count.

#include <gtest/gtest.h>

#include "spec_files.hpp"
#include "structlab/spec/loader.hpp"
#include "support/run_process.hpp"

namespace structlab::spec {
namespace {

using namespace testing;

std::vector<std::string> problems_of(const std::string& text,
                                     const std::vector<std::string>& overrides = {}) {
  return validate_experiment(write_spec(text), overrides, fixture_plugins());
}

std::string cli_plugin_paths() {
  std::string out;
  for (const auto& path : fixture_plugins()) out += " --plugin-path '" + path.string() + "'";
  return out;
}

TEST(ValidateExperiment, AValidSpecHasNoProblems) {
  EXPECT_TRUE(problems_of(std::string(kMinimalSpec) + "grid: {structure.n: [5, 6]}\n").empty());
}

TEST(ValidateExperiment, ReportsEveryProblemOnce) {
  std::vector<std::string> problems = problems_of(
      "experiment: toy\n"
      "dataset: {plugin: fixture_dataset, samples: 0}\n"
      "structure: {plugin: fixture_path, n: 5, colour: red}\n"
      "model: {plugin: fixture_model}\n"
      "training: {lr: -1, epochs: x, batch_size: 0}\n"
      "extra: 1\n",
      {"training.momentun=0.5"});
  // the file's unknown keys, then the overrides, then section by section as the schema lists them
  std::vector<std::string> expected_parts = {
      ":6:1: extra: unknown key 'extra' in the top level",
      "--set training.momentun=0.5: training.momentun: unknown key 'momentun' in 'training'",
      ":2:36: dataset.samples: dataset plugin 'fixture_dataset': must be at least 1",
      ":3:41: structure.colour: generator plugin 'fixture_path': unknown parameter",
      ":5:20: training.epochs: expected a integer, got the string x",
      ":5:12: training.lr: expected a real > 0, got -1.0",
      ":5:31: training.batch_size: expected an integer >= 1, got 0"};
  ASSERT_EQ(problems.size(), expected_parts.size()) << ::testing::PrintToString(problems);
  for (std::size_t i = 0; i < problems.size(); ++i) {
    EXPECT_NE(problems[i].find(expected_parts[i]), std::string::npos) << problems[i];
  }
}

TEST(ValidateExperiment, AMistakeSharedByEveryGridPointIsReportedOnce) {
  std::vector<std::string> problems =
      problems_of(std::string(kMinimalSpec) + "training: {lr: -1}\ngrid: {structure.n: [5, 6, 7]}\n");
  EXPECT_EQ(problems.size(), 1u) << ::testing::PrintToString(problems);
}

TEST(ValidateExperiment, AnUnreadableSpecIsOneProblem) {
  std::vector<std::string> problems = validate_experiment("/nonexistent/spec.yaml", {}, fixture_plugins());
  EXPECT_EQ(problems, std::vector<std::string>{"/nonexistent/spec.yaml: spec file not found"});
}

TEST(ValidateCommand, PrintsTheRunCountAndExits0ForAValidSpec) {
  fs::path spec = write_spec(std::string(kMinimalSpec) + "seeds: [1, 2]\ngrid: {structure.n: [5, 6]}\n");
  auto result = structlab::testing::run_structlab("validate '" + spec.string() + "'" + cli_plugin_paths());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, spec.string() + ": valid, 4 runs\n");
}

TEST(ValidateCommand, AppliesSetOverrides) {
  fs::path spec = write_spec(kMinimalSpec);
  auto result = structlab::testing::run_structlab("validate '" + spec.string() + "' --set 'seeds=[1, 2, 3]'" +
                                                  cli_plugin_paths());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, spec.string() + ": valid, 3 runs\n");
}

TEST(ValidateCommand, PrintsEveryProblemAndExits1) {
  fs::path spec = write_spec(std::string(kMinimalSpec) + "training: {lr: -1, batch_size: 0}\n");
  auto result = structlab::testing::run_structlab("validate '" + spec.string() + "'" + cli_plugin_paths());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(result.out.empty()) << result.out;
  EXPECT_NE(
      result.err.find("error: " + spec.string() + ":5:12: training.lr: expected a real > 0, got -1.0\n"),
      std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("error: " + spec.string() +
                            ":5:20: training.batch_size: expected an integer >= 1, got 0\n"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find(spec.string() + ": 2 problems"), std::string::npos) << result.err;
}

TEST(ValidateCommand, MissingSpecArgumentIsAUsageError) {
  auto result = structlab::testing::run_structlab("validate");
  EXPECT_EQ(result.exit_code, 2);
}

}  // namespace
}  // namespace structlab::spec
