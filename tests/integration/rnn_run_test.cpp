// Whole runs of the masked recurrent net (`model: rnn`): Fashion-MNIST read row by row, deepstruct's
// synthetic sequence task, per-gate masks and the unrolled structure in the archive.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "structlab/archive/run_archive.hpp"
#include "integration/spec_archive.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

using Shape = std::vector<std::int64_t>;

archive::ArchiveSummary run_spec(const std::string& tag, const std::string& spec_text) {
  return testing::run_spec_and_read(tag, spec_text);
}

TEST(RnnRun, GruOnImageRowsArchivesGateMasksAndTheUnrolledGraph) {
  const auto summary = run_spec("rnn-gru", R"(experiment: rnn-gru
seeds: [3]
dataset: {plugin: idx, limit_train: 1000, limit_test: 300, sequence: true}
model: {plugin: rnn, cell: gru, hidden_widths: [16]}
training: {optimizer: adam, lr: 0.01, batch_size: 100, epochs: 2, threads: 1}
pruning:
  plugin: magnitude_global
  selection: {rule: fraction, amount: 0.5}
  schedule: {kind: one_shot, finetune_epochs: 1}
)");
  ASSERT_EQ(summary.stages.size(), 2u);
  const auto& pruned = summary.stages[1];
  std::vector<std::string> names;
  for (const auto& layer : pruned.layers) names.push_back(layer.name);
  EXPECT_EQ(names, (std::vector<std::string>{"rnn0_ih_r", "rnn0_ih_z", "rnn0_ih_n", "rnn0_hh_r", "rnn0_hh_z",
                                             "rnn0_hh_n", "output"}));
  EXPECT_EQ(pruned.layers[0].mask.sizes(), (Shape{16, 28}));
  EXPECT_EQ(pruned.layers[3].mask.sizes(), (Shape{16, 16}));
  EXPECT_EQ(pruned.layers[3].source_layer, 0);
  EXPECT_EQ(pruned.layers[3].target_layer, 0);
  // h(t-1) and h(t): 32 vertices; the hidden-to-hidden edges alone, as the input and output are left out
  EXPECT_EQ(pruned.structure.num_vertices(), 32);
  // an edge wherever any of the three gates keeps a hidden-to-hidden weight
  const torch::Tensor any_gate =
      pruned.layers[3].mask.logical_or(pruned.layers[4].mask).logical_or(pruned.layers[5].mask);
  EXPECT_EQ(pruned.structure.num_edges(), any_gate.sum().item<std::int64_t>());
  EXPECT_LT(pruned.structure.num_edges(), 16 * 16);
  EXPECT_NEAR(pruned.metrics.at("density"), (0.5 * (3 * 16 * 44) + 160) / (3 * 16 * 44 + 160), 0.002);
  EXPECT_EQ(pruned.metrics.at("hidden_units"), 16.0);
  EXPECT_GT(summary.stages[0].metrics.at("test_accuracy"), 0.3);  // 20 steps of Adam; chance is 0.1
}

TEST(RnnRun, LstmLearnsTheStartOfASequence) {
  const auto summary = run_spec("rnn-start", R"(experiment: rnn-start
seeds: [1]
dataset: {plugin: sequence, task: start, steps: 10, max_start: 10, train_size: 2000, test_size: 300}
model: {plugin: rnn, cell: lstm, hidden_widths: [32]}
training: {optimizer: adam, lr: 0.01, batch_size: 50, epochs: 15, threads: 1}
)");
  ASSERT_EQ(summary.stages.size(), 1u);
  // starts are uniform on 1..10: predicting their mean leaves a squared error of (10^2 - 1) / 12 = 8.25
  EXPECT_LT(summary.stages[0].metrics.at("test_loss"), 1.0);
}

TEST(RnnRun, SnipAtInitialisationPrunesTheGatesToTheDensity) {
  const auto summary = run_spec("rnn-snip", R"(experiment: rnn-snip
seeds: [2]
dataset: {plugin: sequence, task: sum, steps: 8, train_size: 300, test_size: 60}
model: {plugin: rnn, cell: lstm, hidden_widths: [12]}
training: {optimizer: adam, lr: 0.01, batch_size: 30, epochs: 1, threads: 1}
pruning:
  plugin: snip
  schedule: {kind: at_init, density: 0.2}
)");
  ASSERT_FALSE(summary.stages.empty());
  std::int64_t active = 0, total = 0;
  for (const auto& layer : summary.stages.back().layers) {
    if (layer.name == "output") continue;
    active += layer.mask.sum().item<std::int64_t>();
    total += layer.mask.numel();
  }
  EXPECT_EQ(total, 4 * 12 * (1 + 12));
  EXPECT_EQ(active, static_cast<std::int64_t>(std::lround(0.2 * static_cast<double>(total))));
}

TEST(RnnRun, ImagesNeedTheSequenceOption) {
  const auto result = testing::run_spec_text("rnn-images", R"(experiment: rnn-images
dataset: {plugin: idx, limit_train: 100, limit_test: 50}
model: {plugin: rnn}
training: {epochs: 1}
)");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("idx with sequence: true"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace structlab
