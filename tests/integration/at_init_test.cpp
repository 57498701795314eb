// Pruning at initialisation (pruning.schedule.kind: at_init) in real runs: SNIP, GraSP and SynFlow prune the
// fresh network of an FFN and of a DAN to exactly the target density before the first step; the masks then stay
// fixed through training and masked weights stay zero; bad `rounds` and threshold strategies are refused.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "integration/engine_runs.hpp"
#include "structlab/prune/selection.hpp"

namespace structlab {
namespace {

using namespace engine_runs;

std::string at_init_pruning(const std::string& pruner, double density) {
  return "pruning:\n  plugin: " + pruner + "\n  schedule: {kind: at_init, density: " + std::to_string(density) +
         "}\n";
}

// Watches the masks from the start of training (after the schedule pruned) to the last step: the prunable layers'
// active and total counts at the start, whether a mask ever changed and whether a masked weight left zero.
class FixedMaskWatch : public train::TrainingHook {
 public:
  explicit FixedMaskWatch(const spec::RunSpec& run) : run_(run) {}
  std::string name() const override { return "test-fixed-mask-watch"; }

  void stage_begin(train::TrainingEngine& engine) override {
    nn::MaskedModel& model = engine.model();
    const auto layers = model.masked_layers();
    const auto excluded = prune::excluded_layers(model, run_.pruning->selection);
    for (std::size_t l = 0; l < layers.size(); ++l) {
      start_masks.push_back(layers[l].mask.clone());
      if (excluded[l]) continue;
      prunable_active += layers[l].active_weight_count();
      prunable_total += layers[l].total_weight_count();
    }
    check(engine);
  }

  void after_step(train::TrainingEngine& engine) override {
    ++steps;
    check(engine);
  }

  std::vector<torch::Tensor> start_masks;
  std::int64_t prunable_active = 0;
  std::int64_t prunable_total = 0;
  std::int64_t steps = 0;
  bool mask_changed = false;
  bool masked_weight_nonzero = false;

 private:
  void check(train::TrainingEngine& engine) {
    const auto layers = engine.model().masked_layers();
    for (std::size_t l = 0; l < layers.size(); ++l) {
      if (!torch::equal(layers[l].mask, start_masks[l])) mask_changed = true;
      const torch::Tensor masked = layers[l].weight.detach().masked_select(layers[l].mask.logical_not());
      if (masked.numel() > 0 && masked.abs().max().item<double>() != 0.0) masked_weight_nonzero = true;
    }
  }
  const spec::RunSpec& run_;
};

// The run of \p text, watched; expects exactly round(density * prunable weights) active from the first step on,
// the same masks in the archive, and one stage.
void expect_pruned_at_init_to(const std::string& tag, const std::string& text, double density) {
  Runs runs(tag, text);
  FixedMaskWatch watch(runs.run);
  const auto outcome = runs.execute(runs.archive, {&watch});
  ASSERT_EQ(outcome.status, "completed") << outcome.message;
  ASSERT_GT(watch.prunable_total, 0);
  EXPECT_EQ(watch.prunable_active, std::llround(density * static_cast<double>(watch.prunable_total)));
  EXPECT_EQ(watch.steps, 24) << "2 epochs of 12 steps, all sparse";
  EXPECT_FALSE(watch.mask_changed) << "the masks must stay fixed during training";
  EXPECT_FALSE(watch.masked_weight_nonzero) << "a masked weight left zero";

  const auto summary = archive::read_archive(runs.archive);
  ASSERT_EQ(summary.stages.size(), 1u) << "one stage: pruned at init, then trained";
  const auto& stage = summary.stages[0];
  ASSERT_EQ(stage.layers.size(), watch.start_masks.size());
  for (std::size_t l = 0; l < stage.layers.size(); ++l) {
    EXPECT_TRUE(torch::equal(stage.layers[l].mask, watch.start_masks[l].to(torch::kCPU)))
        << "archived mask of " << stage.layers[l].name << " differs from the one training started with";
    EXPECT_EQ(stage.layers[l].weight.masked_select(stage.layers[l].mask.logical_not()).abs().sum().item<double>(), 0.0)
        << stage.layers[l].name;
  }
}

class AtInit : public ::testing::TestWithParam<const char*> {};

TEST_P(AtInit, AnFfnIsPrunedToExactlyTheDensityThenTrainedWithFixedMasks) {
  expect_pruned_at_init_to(std::string("at-init-ffn-") + GetParam(), ffn_spec(kAdam, at_init_pruning(GetParam(), 0.1)),
                           0.1);
}

TEST_P(AtInit, ADanIsPrunedFromItsStructuresDensityToTheTarget) {
  const std::string text = std::string("experiment: at-init-dan\nseeds: [4]\n") + kRegressionData +
                           "structure: {plugin: newman_watts_strogatz, n: 24, k: 4, p: 0.5, orient: random}\n"
                           "model: {plugin: dan}\n" + kAdam + at_init_pruning(GetParam(), 0.1);
  expect_pruned_at_init_to(std::string("at-init-dan-") + GetParam(), text, 0.1);
}

INSTANTIATE_TEST_SUITE_P(Pruners, AtInit, ::testing::Values("snip", "grasp", "synflow"));

TEST(AtInitRun, SynFlowRoundsChangeTheMasksButNotTheDensity) {
  const auto masks_of = [](const std::string& tag, const std::string& rounds) {
    Runs runs(tag, ffn_spec(kAdam, "pruning:\n  plugin: synflow\n  rounds: " + rounds +
                                       "\n  schedule: {kind: at_init, density: 0.05}\n"));
    EXPECT_EQ(runs.execute(runs.archive).status, "completed");
    return archive::read_archive(runs.archive).stages.at(0).layers;
  };
  const auto one = masks_of("at-init-synflow-1", "1"), many = masks_of("at-init-synflow-100", "100");
  ASSERT_EQ(one.size(), many.size());
  bool differ = false;
  std::int64_t active_one = 0, active_many = 0;
  for (std::size_t l = 0; l < one.size(); ++l) {
    active_one += one[l].mask.sum().item<std::int64_t>();
    active_many += many[l].mask.sum().item<std::int64_t>();
    differ |= !torch::equal(one[l].mask, many[l].mask);
  }
  // the selection ranks all prunable layers together: the total is the target either way, the split is not
  EXPECT_EQ(active_one, active_many);
  // each layer holds the same total flow R, so one round starves the larger layer; re-scoring in rounds does not
  EXPECT_TRUE(differ) << "100 rounds chose exactly the weights one round chose";
}

TEST(AtInitRun, BadRoundsAreRefusedNamingTheKey) {
  const std::string dir = make_temp_dir("at-init-rounds");
  for (const std::string& rounds : {std::string("0"), std::string("-2"), std::string("2.5")}) {
    const std::string spec = dir + "/spec.yaml";
    std::ofstream(spec) << ffn_spec(kAdam, "pruning:\n  plugin: synflow\n  rounds: " + rounds +
                                               "\n  schedule: {kind: at_init}\n");
    const auto result = testing::run_structlab("validate " + spec);
    EXPECT_EQ(result.exit_code, 1) << rounds;
    EXPECT_NE(result.err.find("pruning.rounds"), std::string::npos) << rounds << ": " << result.err;
    EXPECT_NE(result.err.find("spec.yaml:"), std::string::npos) << rounds << ": " << result.err;
  }
}

TEST(AtInitRun, AThresholdStrategyIsRefusedBeforeAnyRun) {
  const std::string dir = make_temp_dir("at-init-std");
  const std::string spec = dir + "/spec.yaml";
  std::ofstream(spec) << ffn_spec(kAdam, at_init_pruning("magnitude_std", 0.1));
  const auto result = testing::run_structlab("validate " + spec);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("pruning.schedule.kind: strategy 'magnitude_std' prunes by its own threshold and "
                            "cannot follow the at_init schedule's sparsity targets"),
            std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace structlab
