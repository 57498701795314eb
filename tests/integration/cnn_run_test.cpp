// Whole runs of the masked CNN (`model: cnn`) on Fashion-MNIST: 4-D masks in the archive, kernel and channel
// pruning through a spec, the channel graph as the archived structure, and the example config.

#include <gtest/gtest.h>

#include <filesystem>

#include "structlab/archive/run_archive.hpp"
#include "structlab/prune/layer_density.hpp"
#include "integration/spec_archive.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

using Shape = std::vector<std::int64_t>;

archive::ArchiveSummary run_spec(const std::string& tag, const std::string& spec_text) {
  return testing::run_spec_and_read(tag, spec_text);
}

const archive::LayerRecord& layer_named(const archive::StageRecord& stage, const std::string& name) {
  for (const auto& layer : stage.layers) {
    if (layer.name == name) return layer;
  }
  throw std::runtime_error("no layer " + name + " in stage " + std::to_string(stage.index));
}

std::string small_cnn_spec(const std::string& pruner, const std::string& granularity) {
  return R"(experiment: cnn-)" + granularity + R"(
seeds: [2]
dataset: {plugin: idx, limit_train: 1000, limit_test: 300}
model: {plugin: cnn, channels: [4, 8], hidden_widths: [32]}
training: {optimizer: adam, lr: 0.002, batch_size: 100, epochs: 1, threads: 1}
pruning:
  plugin: )" +
         pruner + R"(
  selection: {rule: fraction, amount: 0.5, granularity: )" +
         granularity + R"(}
  schedule: {kind: iterative, levels: 2, retrain_epochs: 1}
)";
}

TEST(CnnRun, ArchivesFourDimensionalMasksAndPrunesWholeKernels) {
  const auto summary = run_spec("cnn-kernel", small_cnn_spec("magnitude_global", "kernel"));
  ASSERT_EQ(summary.stages.size(), 3u);
  const auto& last = summary.stages.back();
  const auto& conv = layer_named(last, "conv_1");
  ASSERT_EQ(conv.mask.sizes(), (Shape{8, 4, 5, 5}));
  EXPECT_EQ(conv.weight.sizes(), (Shape{8, 4, 5, 5}));
  EXPECT_EQ(layer_named(last, "linear_0").mask.sizes(), (Shape{32, 8, 25}));
  EXPECT_EQ(layer_named(last, "output").mask.sizes(), (Shape{10, 32}));
  // every kernel is kept or removed whole
  const torch::Tensor by_kernel = conv.mask.flatten(2);
  EXPECT_TRUE(torch::equal(by_kernel.all(2), by_kernel.any(2)));
  // 4 + 32 conv kernels and 32 x 8 channel-to-unit groups of linear_0: 292 kernels, half of the active ones
  // go per level (the output layer is excluded): 146, then 73
  std::int64_t kernels_left = 0;
  for (const char* name : {"conv_0", "conv_1", "linear_0"}) {
    kernels_left += layer_named(last, name).mask.flatten(2).any(2).sum().item<std::int64_t>();
  }
  EXPECT_EQ(kernels_left, 73);
  EXPECT_TRUE(layer_named(last, "output").mask.all().item<bool>()) << "the output layer is excluded";
  // the archived structure is the channel graph: 4 + 8 channels and 32 hidden units
  EXPECT_EQ(last.structure.num_vertices(), 4 + 8 + 32);
}

TEST(CnnRun, ChannelGranularityLeavesDeadChannelsCounted) {
  const auto summary = run_spec("cnn-channel", small_cnn_spec("magnitude_layerwise", "channel"));
  ASSERT_EQ(summary.stages.size(), 3u);
  const auto& last = summary.stages.back();
  // 4 + 8 + 32 hidden units; half of each layer's active ones go per level (4 -> 2 -> 1, 8 -> 4 -> 2,
  // 32 -> 16 -> 8), each with its row and the columns it feeds
  EXPECT_EQ(last.metrics.at("hidden_units"), 44.0);
  EXPECT_EQ(last.metrics.at("dead_units"), 44.0 - 11.0);
  const auto& conv0 = layer_named(last, "conv_0");
  const torch::Tensor channel_alive = conv0.mask.flatten(1).any(1);
  const auto& conv1 = layer_named(last, "conv_1");
  for (std::int64_t c = 0; c < 4; ++c) {
    if (channel_alive[c].item<bool>()) continue;
    EXPECT_FALSE(conv1.mask.select(1, c).any().item<bool>()) << "channel " << c << " is gone but still read";
  }
}

// RigL from ERK densities: the first classifier layer is a 32 x 200 matrix for fan-in and fan-out, not the
// [32, 8, 25] view its masked layer shows; every layer keeps its count while it rewires.
TEST(CnnRun, DynamicSparseTrainingStartsFromTheErkDensitiesOfTheRealShapes) {
  const auto summary = run_spec("cnn-rigl", R"(experiment: cnn-rigl
seeds: [5]
dataset: {plugin: idx, limit_train: 600, limit_test: 200}
model: {plugin: cnn, channels: [4, 8], hidden_widths: [32]}
training: {optimizer: adam, lr: 0.002, batch_size: 100, epochs: 2, threads: 1}
pruning:
  plugin: magnitude_layerwise
  grow: {plugin: gradient}
  schedule: {kind: dynamic, density: 0.1, distribution: erk, update_every: 2}
)");
  ASSERT_FALSE(summary.stages.empty());
  const std::vector<std::int64_t> counts = prune::layer_active_counts({{4, 1, 5, 5}, {8, 4, 5, 5}, {32, 200}},
                                                                      0.1, prune::DensityDistribution::erk);
  const auto& last = summary.stages.back();
  const std::vector<std::string> names{"conv_0", "conv_1", "linear_0"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(layer_named(last, names[i]).mask.sum().item<std::int64_t>(), counts[i]) << names[i];
  }
  EXPECT_TRUE(layer_named(last, "output").mask.all().item<bool>());
}

TEST(CnnRun, ShortenedExampleConfigLearnsAndPrunes) {
  const auto summary = testing::run_spec_and_read(
      "cnn-config", testing::read_text(std::string(STRUCTLAB_TEST_SOURCE_DIR) + "/configs/cnn-fashion.yaml"),
      "--set dataset.limit_train=6000 --set dataset.limit_test=500 --set training.epochs=1"
      " --set pruning.schedule.levels=1 --set pruning.schedule.retrain_epochs=1");
  ASSERT_EQ(summary.stages.size(), 2u);
  EXPECT_GT(summary.stages[1].metrics.at("test_accuracy"), 0.55);
  EXPECT_NEAR(summary.stages[1].metrics.at("density"), 0.7, 0.01);
}

TEST(CnnRun, ImagesOnly) {
  const auto result = testing::run_spec_text("cnn-flat", R"(experiment: cnn-flat
dataset: {plugin: function, train_size: 64, test_size: 16}
model: {plugin: cnn}
training: {epochs: 1}
)");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("[channels, height, width]"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace structlab
