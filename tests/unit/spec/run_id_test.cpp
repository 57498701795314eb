// Run ids: the canonical text of a resolved run, and the hash that leaves default-valued keys out.

#include <gtest/gtest.h>

#include "spec/canonical.hpp"
#include "spec_files.hpp"
#include "structlab/spec/loader.hpp"

namespace structlab::spec {
namespace {

using namespace testing;

RunSpec only_run(const std::string& text, const std::vector<std::string>& overrides = {}) {
  ExperimentPlan plan = plan_text(text, overrides);
  EXPECT_EQ(plan.runs.size(), 1u);
  return plan.runs.at(0);
}

TEST(Fnv1a64, MatchesThePublishedTestVectors) {
  EXPECT_EQ(detail::fnv1a_64_hex(""), "cbf29ce484222325");
  EXPECT_EQ(detail::fnv1a_64_hex("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(detail::fnv1a_64_hex("foobar"), "85944171f73967e8");
}

TEST(RunId, IsTheExperimentNameAndTenHexDigitsOfTheSpecHash) {
  RunSpec run = only_run(kMinimalSpec);
  ASSERT_EQ(run.spec_hash.size(), 16u);
  EXPECT_EQ(run.spec_hash.find_first_not_of("0123456789abcdef"), std::string::npos) << run.spec_hash;
  EXPECT_EQ(run.run_id, "toy-" + run.spec_hash.substr(0, 10));
}

TEST(RunId, SameSpecGivesTheSameIdsFromAnyFile) {
  std::string text = std::string(kMinimalSpec) + "seeds: [1, 2]\ngrid: {structure.n: [5, 6]}\n";
  ExperimentPlan first = plan_text(text);
  ExperimentPlan second = plan_text(text);  // another temporary directory
  ASSERT_EQ(first.runs.size(), 4u);
  ASSERT_EQ(second.runs.size(), 4u);
  for (std::size_t i = 0; i < first.runs.size(); ++i) {
    EXPECT_EQ(first.runs[i].run_id, second.runs[i].run_id);
    EXPECT_EQ(first.runs[i].canonical_yaml, second.runs[i].canonical_yaml);
  }
}

TEST(RunId, IsPinnedForTheMinimalSpec) {
  // Run ids name archives on disk: a change of the canonical text or the hash orphans every existing
  // archive, so it must be deliberate. Update this value only together with a note in configs/README.md.
  EXPECT_EQ(only_run(kMinimalSpec).run_id, "toy-2cc87385c0");
}

TEST(RunId, AddingKeysAtTheirDefaultKeepsTheId) {
  RunSpec plain = only_run(kMinimalSpec);
  RunSpec explicit_defaults = only_run(
      "experiment: toy\n"
      "seeds: [1]\n"
      "dataset: {plugin: fixture_dataset, samples: 100}\n"
      "structure: {plugin: fixture_path, n: 5, label: path, orient: index}\n"
      "model: {plugin: fixture_model, hidden: [8]}\n"
      "training: {lr: 0.05, epochs: 3, lr_schedule: {kind: none}}\n"
      "archive: {metrics: sampled}\n");
  EXPECT_EQ(explicit_defaults.run_id, plain.run_id);
  EXPECT_EQ(explicit_defaults.canonical_yaml, plain.canonical_yaml);
}

TEST(RunId, HashCoversOnlyKeysAwayFromTheirDefaults) {
  // so a key added later (to the schema or to a plugin) with a default keeps every existing id
  RunSpec run = only_run(std::string(kMinimalSpec) + "training: {epochs: 5}\n");
  EXPECT_EQ(run.spec_hash, detail::fnv1a_64_hex("dataset:\n"
                                                "  plugin: fixture_dataset\n"
                                                "experiment: toy\n"
                                                "model:\n"
                                                "  plugin: fixture_model\n"
                                                "structure:\n"
                                                "  n: 5\n"
                                                "  plugin: fixture_path\n"
                                                "training:\n"
                                                "  epochs: 5\n"));
  EXPECT_NE(run.canonical_yaml.find("  batch_size: 128\n"), std::string::npos) << run.canonical_yaml;
}

TEST(RunId, KeyOrderAndYamlStyleDoNotMatter) {
  RunSpec flow = only_run(std::string(kMinimalSpec) + "training: {epochs: 5, lr: 0.1}\n");
  RunSpec block = only_run(
      "model:\n  plugin: fixture_model\ntraining:\n  lr: 0.1\n  epochs: 5\nstructure:\n  n: 5\n"
      "  plugin: fixture_path\ndataset:\n  plugin: fixture_dataset\nexperiment: toy\n");
  EXPECT_EQ(flow.run_id, block.run_id);
}

TEST(RunId, ChangingAnyValueChangesTheId) {
  std::string base_id = only_run(kMinimalSpec).run_id;
  EXPECT_NE(only_run(kMinimalSpec, {"training.lr=0.1"}).run_id, base_id);
  EXPECT_NE(only_run(kMinimalSpec, {"structure.n=6"}).run_id, base_id);
  EXPECT_NE(only_run(kMinimalSpec, {"structure.orient=random"}).run_id, base_id);
  EXPECT_NE(only_run(kMinimalSpec, {"seeds=2"}).run_id, base_id);
  EXPECT_NE(only_run(kMinimalSpec, {"pruning.plugin=fixture_pruner"}).run_id, base_id);
  EXPECT_NE(only_run(kMinimalSpec, {"experiment=toy2"}).spec_hash, only_run(kMinimalSpec).spec_hash);
}

TEST(CanonicalYaml, HoldsEveryKeySortedWithDefaultsAndTheRunsOwnSeed) {
  ExperimentPlan plan = plan_text(std::string(kMinimalSpec) + "seeds: [4, 9]\n");
  const std::string& text = plan.runs.at(1).canonical_yaml;
  const std::string expected_start =
      "archive:\n"
      "  metrics: sampled\n"
      "dataset:\n"
      "  name: toy\n"
      "  plugin: fixture_dataset\n"
      "  samples: 100\n"
      "experiment: toy\n"
      "model:\n"
      "  activation: relu\n"
      "  hidden: [8]\n"
      "  plugin: fixture_model\n"
      "seeds: [9]\n"
      "structure:\n"
      "  graph_seed: -1\n"
      "  label: path\n"
      "  n: 5\n"
      "  orient: index\n"
      "  plugin: fixture_path\n"
      "training:\n"
      "  batch_size: 128\n"
      "  beta1: 0.9\n";
  EXPECT_EQ(text.substr(0, expected_start.size()), expected_start) << text;
  EXPECT_NE(text.find("  lr: 0.05\n  lr_schedule:\n    gamma: 0.1\n    kind: none\n"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("grid"), std::string::npos) << text;
  EXPECT_EQ(text.find("plugin_paths"), std::string::npos) << text;
}

TEST(CanonicalYaml, PlansBackToTheSameRun) {
  ExperimentPlan plan =
      plan_text(std::string(kMinimalSpec) +
                "seeds: [1, 2]\n"
                "pruning: {plugin: fixture_pruner, selection: {exclude_layers: [fc1, fc2]}}\n"
                "grid: {model.hidden: [[4, 4], [16]], training.lr: [0.5]}\n");
  ASSERT_EQ(plan.runs.size(), 4u);
  for (const auto& run : plan.runs) {
    RunSpec again = only_run(run.canonical_yaml);
    EXPECT_EQ(again.run_id, run.run_id);
    EXPECT_EQ(again.canonical_yaml, run.canonical_yaml);
    EXPECT_EQ(again.seed, run.seed);
  }
}

}  // namespace
}  // namespace structlab::spec
