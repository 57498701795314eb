// Pruning schedules inside real runs: every stage archived with its masks, density and metrics.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "structlab/archive/run_archive.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using testing::make_temp_dir;
using testing::run_structlab;

// A small classification task: 2000 Fashion-MNIST training images, a 784-32-16-10 FFN.
std::string spec_with(const std::string& pruning) {
  return std::string(R"(experiment: prune
seeds: [3]
dataset:
  plugin: idx
  limit_train: 2000
  limit_test: 500
model:
  plugin: ffn
  hidden_widths: [32, 16]
training:
  optimizer: sgd
  lr: 0.05
  batch_size: 100
  epochs: 1
  threads: 1
)") + pruning;
}

archive::ArchiveSummary run_and_read(const std::string& tag, const std::string& spec_text) {
  std::string dir = make_temp_dir(tag);
  std::string spec = dir + "/spec.yaml";
  std::ofstream(spec) << spec_text;
  auto result = run_structlab("run " + spec + " --out " + dir + "/out");
  EXPECT_EQ(result.exit_code, 0) << result.err << result.out;
  for (const auto& entry : fs::recursive_directory_iterator(dir + "/out")) {
    if (entry.path().extension() == ".h5") return archive::read_archive(entry.path());
  }
  ADD_FAILURE() << "no archive written";
  return {};
}

// Active weights of the prunable (non-output) layers of a stage.
std::int64_t prunable_active(const archive::StageRecord& stage) {
  std::int64_t active = 0;
  for (const auto& layer : stage.layers) {
    if (layer.name != "output") active += layer.mask.sum().item<std::int64_t>();
  }
  return active;
}

TEST(PruningRun, IterativeWithRewindingArchivesEveryLevel) {
  auto summary = run_and_read("iterative", spec_with(R"(pruning:
  plugin: magnitude_global
  selection: {rule: fraction, amount: 0.2}
  schedule: {kind: iterative, levels: 2, rewind: init, retrain_epochs: 1}
)"));
  ASSERT_EQ(summary.stages.size(), 3u);
  std::int64_t dense = prunable_active(summary.stages[0]);
  EXPECT_EQ(dense, 784 * 32 + 32 * 16);
  // 20% of the remaining prunable weights per level, rounded to nearest
  std::int64_t level1 = dense - static_cast<std::int64_t>(std::llround(0.2 * dense));
  EXPECT_EQ(prunable_active(summary.stages[1]), level1);
  EXPECT_EQ(prunable_active(summary.stages[2]),
            level1 - static_cast<std::int64_t>(std::llround(0.2 * level1)));
  // the output layer is excluded by default
  for (const auto& stage : summary.stages) {
    for (const auto& layer : stage.layers) {
      if (layer.name == "output") {
        EXPECT_EQ(layer.mask.sum().item<std::int64_t>(), 16 * 10);
      }
    }
  }
  EXPECT_LT(summary.stages[2].metrics.at("density"), summary.stages[1].metrics.at("density"));
  EXPECT_EQ(summary.history.size(), 3u);  // one epoch per stage
  EXPECT_GT(summary.stages[2].metrics.at("test_accuracy"), 0.5);
}

TEST(PruningRun, OneShotThenFineTuneIsStageOne) {
  auto summary = run_and_read("oneshot", spec_with(R"(pruning:
  plugin: magnitude_layerwise
  selection: {rule: density, amount: 0.5}
  schedule: {kind: one_shot, finetune_epochs: 1}
)"));
  ASSERT_EQ(summary.stages.size(), 2u);
  std::int64_t dense = prunable_active(summary.stages[0]);
  EXPECT_EQ(prunable_active(summary.stages[1]), dense / 2);
  // pruned weights are zero in the archive as well as masked
  for (const auto& layer : summary.stages[1].layers) {
    EXPECT_EQ(layer.weight.masked_select(layer.mask.logical_not()).abs().sum().item<double>(), 0.0)
        << layer.name;
  }
}

TEST(PruningRun, GradualReachesTheFinalSparsity) {
  auto summary = run_and_read("gradual", spec_with(R"(pruning:
  plugin: magnitude_global
  schedule: {kind: gradual, initial_sparsity: 0.0, final_sparsity: 0.75, start_epoch: 0, end_epoch: 1,
             frequency: 5, finetune_epochs: 1}
)"));
  ASSERT_EQ(summary.stages.size(), 2u);
  double dense = static_cast<double>(prunable_active(summary.stages[0]));
  EXPECT_NEAR(static_cast<double>(prunable_active(summary.stages[1])) / dense, 0.25, 0.001);
}

TEST(PruningRun, GradualWithAThresholdStrategyIsRefusedBeforeAnyRun) {
  std::string dir = make_temp_dir("gradual-std");
  std::string spec = dir + "/spec.yaml";
  std::ofstream(spec) << spec_with(R"(pruning:
  plugin: magnitude_std
  schedule: {kind: gradual, final_sparsity: 0.5, end_epoch: 1}
)");
  auto validated = run_structlab("validate " + spec);
  EXPECT_EQ(validated.exit_code, 1);
  EXPECT_NE(
      validated.err.find("pruning.schedule.kind: strategy 'magnitude_std' prunes by its own threshold and "
                         "cannot follow the gradual schedule's sparsity targets"),
      std::string::npos)
      << validated.err;
  EXPECT_NE(validated.err.find("spec.yaml:"), std::string::npos) << validated.err;
  auto result = run_structlab("run " + spec + " --out " + dir + "/out");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(dir + "/out")) << result.out;
}

TEST(PruningRun, NeuronPruningReportsNoDeadUnitsLeftHalfConnected) {
  auto summary = run_and_read("neuron", spec_with(R"(pruning:
  plugin: neuron
  selection: {rule: count, amount: 8}
  schedule: {kind: one_shot}
)"));
  ASSERT_EQ(summary.stages.size(), 2u);
  EXPECT_EQ(summary.stages[0].metrics.at("dead_units"), 0.0);
  // 8 whole units removed: each is dead (no inputs and no outputs)
  EXPECT_EQ(summary.stages[1].metrics.at("dead_units"), 8.0);
}

TEST(PruningRun, NeuronPruningOfADanWhoseSinksFeedTheOutputs) {
  auto summary = run_and_read("dan-sinks", R"(experiment: dan-sinks
seeds: [5]
dataset: {plugin: idx, limit_train: 1000, limit_test: 200}
structure: {plugin: newman_watts_strogatz, n: 40, k: 4, p: 0.5, orient: random}
model: {plugin: dan, sinks_to_output: true}
training: {optimizer: adam, lr: 0.003, batch_size: 100, epochs: 1, threads: 1}
pruning:
  plugin: neuron
  selection: {rule: count, amount: 4}
  schedule: {kind: one_shot}
)");
  ASSERT_EQ(summary.stages.size(), 2u);
  bool sink_layer_archived = false;
  for (const auto& layer : summary.stages[0].layers)
    sink_layer_archived |= layer.name.rfind("output_from_", 0) == 0;
  EXPECT_TRUE(sink_layer_archived) << "a randomly oriented ring of 40 has sinks below its last layer";
  EXPECT_EQ(summary.stages[0].metrics.at("dead_units"), 0.0);
  EXPECT_EQ(summary.stages[1].metrics.at("dead_units"), 4.0);
  EXPECT_EQ(summary.stages[1].metrics.at("hidden_units"), 40.0);
}

}  // namespace
}  // namespace structlab
