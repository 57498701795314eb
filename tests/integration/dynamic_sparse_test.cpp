// Dynamic sparse training (pruning.schedule.kind: dynamic): the network starts sparse at the ERK densities,
// drops and regrows weights every few steps (RigL: by gradient, SET: at random), never changes a layer's active
// count, starts regrown weights at zero, archives mask snapshots, and resumes bit-identically.

#include <gtest/gtest.h>
#include <hdf5.h>

#include <map>
#include <string>
#include <vector>

#include "integration/engine_runs.hpp"
#include "structlab/prune/layer_density.hpp"
#include "structlab/prune/selection.hpp"

namespace structlab {
namespace {

using namespace engine_runs;

// 384 samples / 32 = 12 steps per epoch, 2 epochs: 24 steps, updates every 2 steps before step 18 (0.75).
std::string dynamic_spec(const std::string& grow, const std::string& distribution = "erk") {
  return ffn_spec("training: {optimizer: adam, lr: 0.01, batch_size: 32, epochs: 2, threads: 1}\n",
                  "pruning:\n"
                  "  plugin: magnitude_layerwise\n"
                  "  grow: {plugin: " + grow + "}\n"
                  "  schedule: {kind: dynamic, density: 0.2, distribution: " + distribution +
                  ", update_every: 2, drop_fraction: 0.3, end_fraction: 0.75, snapshot_every: 1}\n");
}

// Watches every step after the schedule's hook: active counts per layer, steps whose masks changed, and
// whether every weight that became active in a step is zero right after it.
class MaskWatch : public train::TrainingHook {
 public:
  std::string name() const override { return "test-mask-watch"; }
  void stage_begin(train::TrainingEngine& engine) override { remember(engine); }
  void after_step(train::TrainingEngine& engine) override {
    const auto layers = engine.model().masked_layers();
    bool changed = false;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const torch::Tensor mask = layers[l].mask;
      counts[l].push_back(mask.sum().item<std::int64_t>());
      const torch::Tensor fresh = mask.logical_and(previous_[l].logical_not());
      if (!torch::equal(mask, previous_[l])) changed = true;
      if (fresh.any().item<bool>() && layers[l].weight.masked_select(fresh).abs().max().item<double>() != 0.0) {
        nonzero_fresh_weight = true;
      }
    }
    if (changed) changed_at.push_back(engine.stage_step() + 1);
    remember(engine);
  }

  std::map<std::size_t, std::vector<std::int64_t>> counts;  // layer -> active count after each step
  std::vector<std::int64_t> changed_at;                     // steps (from 1) after which some mask changed
  std::vector<std::int64_t> initial_counts;                 // active counts at the sparse start
  bool nonzero_fresh_weight = false;

 private:
  void remember(train::TrainingEngine& engine) {
    previous_.clear();
    for (const auto& layer : engine.model().masked_layers()) previous_.push_back(layer.mask.clone());
    if (initial_counts.empty()) {
      for (const auto& layer : engine.model().masked_layers())
        initial_counts.push_back(layer.mask.sum().item<std::int64_t>());
    }
  }
  std::vector<torch::Tensor> previous_;
};

bool archive_has(const fs::path& archive, const std::string& path) {
  const hid_t file = H5Fopen(archive.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return false;
  const bool found = H5Lexists(file, "/snapshots", H5P_DEFAULT) > 0 && H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0;
  H5Fclose(file);
  return found;
}

TEST(DynamicSparse, RigLKeepsEveryLayersDensityAndRewiresAtUpdateSteps) {
  Runs runs("dynamic-rigl", dynamic_spec("gradient"));
  MaskWatch watch;
  const auto outcome = runs.execute(runs.archive, {&watch});
  ASSERT_EQ(outcome.status, "completed") << outcome.message;

  // the sparse start (the function dataset has 2 inputs): ERK counts over the hidden layers, the output layer (excluded by default) dense
  const std::vector<std::vector<std::int64_t>> hidden_shapes = {{16, 2}, {8, 16}};
  const auto expected = prune::layer_active_counts(hidden_shapes, 0.2, prune::DensityDistribution::erk);
  ASSERT_EQ(watch.initial_counts.size(), 3u);
  EXPECT_EQ(watch.initial_counts[0], expected[0]);
  EXPECT_EQ(watch.initial_counts[1], expected[1]);
  EXPECT_EQ(watch.initial_counts[2], 8) << "the output layer stays dense";

  // density exactly constant through training, checked after every one of the 24 steps
  for (const auto& [layer, counts] : watch.counts) {
    ASSERT_EQ(counts.size(), 24u);
    for (std::int64_t count : counts) EXPECT_EQ(count, watch.initial_counts[layer]) << "layer " << layer;
  }
  // masks change only at update steps (every 2 steps, before step 18), and they do change
  ASSERT_FALSE(watch.changed_at.empty());
  for (std::int64_t step : watch.changed_at) {
    EXPECT_EQ(step % 2, 0) << step;
    EXPECT_LT(step, 18) << step;
  }
  EXPECT_FALSE(watch.nonzero_fresh_weight) << "a regrown weight must start at zero";

  // the structure as it evolved: one snapshot per epoch
  EXPECT_TRUE(archive_has(runs.archive, "/snapshots/00-epoch-0001"));
  EXPECT_TRUE(archive_has(runs.archive, "/snapshots/00-epoch-0002/structure"));
  const auto summary = archive::read_archive(runs.archive);
  EXPECT_NEAR(summary.stages.at(0).metrics.at("density"),
              double(expected[0] + expected[1] + 8) / double(32 + 128 + 8), 1e-9);
}

TEST(DynamicSparse, SetGrowsElsewhereThanRigLAtTheSameDensity) {
  Runs rigl("dynamic-rigl-2", dynamic_spec("gradient"));
  Runs set("dynamic-set", dynamic_spec("random"));
  MaskWatch rigl_watch, set_watch;
  ASSERT_EQ(rigl.execute(rigl.archive, {&rigl_watch}).status, "completed");
  ASSERT_EQ(set.execute(set.archive, {&set_watch}).status, "completed");
  EXPECT_EQ(set_watch.initial_counts, rigl_watch.initial_counts);
  for (const auto& [layer, counts] : set_watch.counts) {
    for (std::int64_t count : counts) EXPECT_EQ(count, set_watch.initial_counts[layer]);
  }
  EXPECT_FALSE(set_watch.nonzero_fresh_weight);
  const auto a = archive::read_archive(rigl.archive), b = archive::read_archive(set.archive);
  EXPECT_FALSE(torch::equal(a.stages.at(0).layers.at(1).mask, b.stages.at(0).layers.at(1).mask))
      << "random and gradient growth ended with the same mask";
}

TEST(DynamicSparse, StoppedBetweenAndOnUpdateStepsResumesIdentically) {
  expect_resume_identical("dynamic-resume", dynamic_spec("gradient"),
                          {StopAt(StopPoint::after_step, 0, 0, 4), StopAt(StopPoint::after_step, 0, 1, 2)});
}

TEST(DynamicSparse, AUniformStartGivesEveryHiddenLayerTheDensity) {
  Runs runs("dynamic-uniform", dynamic_spec("random", "uniform"));
  MaskWatch watch;
  ASSERT_EQ(runs.execute(runs.archive, {&watch}).status, "completed");
  EXPECT_EQ(watch.initial_counts[0], 6);   // round(0.2 * 32)
  EXPECT_EQ(watch.initial_counts[1], 26);  // round(0.2 * 128)
}

TEST(DynamicSparse, ADanStartsFromItsStructureAndRewiresAtConstantDensity) {
  const std::string text = std::string("experiment: dynamic-dan\nseeds: [4]\n") + kRegressionData +
                           "structure: {plugin: newman_watts_strogatz, n: 24, k: 4, p: 0.5, orient: random}\n"
                           "model: {plugin: dan}\n" + kAdam +
                           "pruning:\n  plugin: magnitude_layerwise\n  grow: {plugin: random}\n"
                           "  schedule: {kind: dynamic, distribution: structure, update_every: 2}\n";
  Runs runs("dynamic-dan", text);
  MaskWatch watch;
  const auto outcome = runs.execute(runs.archive, {&watch});
  ASSERT_EQ(outcome.status, "completed") << outcome.message;
  const auto summary = archive::read_archive(runs.archive);
  // `structure` keeps the DAN's own masks as the sparse start; every layer keeps its count while it rewires
  std::int64_t start = 0;
  for (std::size_t l = 0; l + 1 < watch.initial_counts.size(); ++l) start += watch.initial_counts[l];
  EXPECT_GT(start, 0);
  for (const auto& [layer, counts] : watch.counts) {
    for (std::int64_t count : counts) EXPECT_EQ(count, watch.initial_counts[layer]) << "layer " << layer;
  }
  EXPECT_FALSE(watch.changed_at.empty()) << "the DAN never rewired";
  EXPECT_LT(summary.stages.at(0).metrics.at("density"), 1.0);
}

TEST(DynamicSparse, ValidationNamesAMissingGrowerAndAGrowerWithoutADynamicSchedule) {
  const std::string dir = make_temp_dir("dynamic-validate");
  const std::string missing = dir + "/missing.yaml", stray = dir + "/stray.yaml";
  std::ofstream(missing) << ffn_spec(kAdam, "pruning: {plugin: magnitude_layerwise, schedule: {kind: dynamic}}\n");
  std::ofstream(stray) << ffn_spec(kAdam, "pruning: {plugin: magnitude_layerwise, grow: {plugin: random}}\n");
  auto result = testing::run_structlab("validate " + missing);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE((result.out + result.err).find("pruning.grow: a dynamic schedule needs a growth criterion"),
            std::string::npos)
      << result.out << result.err;
  result = testing::run_structlab("validate " + stray);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE((result.out + result.err).find("pruning.grow: only a dynamic schedule"), std::string::npos)
      << result.out << result.err;
  result = testing::run_structlab("validate " + missing + " --set pruning.grow.plugin=sideways");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE((result.out + result.err).find("no grower plugin named 'sideways'"), std::string::npos)
      << result.out << result.err;
}

}  // namespace
}  // namespace structlab
