// The data-free strategies (magnitude_global, magnitude_layerwise, magnitude_std, random, neuron) on
// hand-set weights, loaded as plugins.

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "structlab/error.hpp"
#include "structlab/prune/selection.hpp"
#include "structlab/random.hpp"
#include "unit/prune/pruner_plugins.hpp"
#include "unit/prune/tiny_model.hpp"

namespace structlab::prune {
namespace {

using testing::make_pruner;
using testing::mask_values;
using testing::rule;

Params one(const std::string& key, ParamValue value) {
  Params params;
  params.set(key, std::move(value));
  return params;
}

// hidden_1's weights are two orders of magnitude larger than hidden_0's: a global threshold only reaches
// hidden_0, a per-layer one takes from both.
std::shared_ptr<testing::TinyModel> scaled_chain_model() {
  auto model = testing::make_chain_model();
  model->set_weight(0, {0.5f, -0.1f, 1.0f, 0.3f, -1.1f, 0.7f});
  model->set_weight(1, {20, -100, 40, 120, -60, 80});
  model->set_weight(2, {0.01f, 0.02f});
  return model;
}

TEST(MagnitudeGlobal, PrunesTheSmallestMagnitudesAcrossLayers) {
  auto model = scaled_chain_model();
  auto context = testing::no_data_context();
  auto strategy = make_pruner("magnitude_global");
  PruneReport report = prune_step(*model, *strategy, context, rule("fraction", 0.25));
  EXPECT_EQ(report.pruned(), 3);  // 0.1, 0.3, 0.5: all in hidden_0
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{0, 0, 1, 0, 1, 1}));
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(mask_values(model->layer(2)), (std::vector<int>{1, 1}));  // smallest of all, but the output layer
}

TEST(MagnitudeLayerwise, PrunesTheSameShareOfEveryLayer) {
  auto model = scaled_chain_model();
  auto context = testing::no_data_context();
  auto strategy = make_pruner("magnitude_layerwise");
  PruneReport report = prune_step(*model, *strategy, context, rule("fraction", 0.5));
  EXPECT_EQ(report.pruned(), 6);
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{0, 0, 1, 0, 1, 1}));  // 0.5, 0.1, 0.3
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{0, 1, 0, 1, 0, 1}));  // 20, 40, 60
  EXPECT_EQ(mask_values(model->layer(2)), (std::vector<int>{1, 1}));
}

TEST(MagnitudeStd, PrunesBelowQualityTimesTheStdOfTheActiveWeights) {
  auto model = scaled_chain_model();
  auto context = testing::no_data_context();
  auto strategy = make_pruner("magnitude_std", one("quality", 1.0));
  // hidden_0: std 0.679, so 0.5, -0.1, 0.3 go; hidden_1: std 76.1, so 20, 40, -60 go; the amount is not used
  PruneReport report = prune_step(*model, *strategy, context, rule("count", 0));
  EXPECT_EQ(report.pruned(), 6);
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{0, 0, 1, 0, 1, 1}));
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{0, 1, 0, 1, 0, 1}));
  // the next step measures the std of the survivors: hidden_0 {1.0, -1.1, 0.7} has std 0.927, so 0.7 goes
  // (with the pruned zeros counted the std would be 0.663 and 0.7 would stay); hidden_1 {-100, 120, 80}
  // has std 95.7, so 80 goes
  prune_step(*model, *strategy, context, rule("count", 0));
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{0, 0, 1, 0, 1, 0}));
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{0, 1, 0, 1, 0, 0}));
}

TEST(MagnitudeStd, QualityZeroPrunesNothing) {
  auto model = scaled_chain_model();
  auto context = testing::no_data_context();
  EXPECT_EQ(prune_step(*model, *make_pruner("magnitude_std", one("quality", 0.0)), context, rule("count", 0))
                .pruned(),
            0);
}

// The expected random choice: one Rng(seed).uniform() per weight entry, layers in order, lowest first.
std::vector<std::vector<int>> expected_random_masks(std::uint64_t seed, std::int64_t count) {
  Rng rng(seed);
  std::vector<double> hidden(12);
  for (double& score : hidden) score = rng.uniform();  // hidden_0 then hidden_1; the output's draws come last
  std::vector<int> order(12);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return hidden[a] < hidden[b]; });
  std::vector<std::vector<int>> masks{std::vector<int>(6, 1), std::vector<int>(6, 1)};
  for (std::int64_t i = 0; i < count; ++i) masks[order[i] / 6][order[i] % 6] = 0;
  return masks;
}

TEST(RandomPruner, PrunesTheEntriesItsSeededScoresRankLowest) {
  auto strategy = make_pruner("random");
  for (std::uint64_t seed : {1u, 2u, 77u}) {
    auto model = scaled_chain_model();
    auto context = testing::no_data_context(seed);
    EXPECT_EQ(prune_step(*model, *strategy, context, rule("fraction", 0.5)).pruned(), 6);
    auto expected = expected_random_masks(seed, 6);
    EXPECT_EQ(mask_values(model->layer(0)), expected[0]) << "seed " << seed;
    EXPECT_EQ(mask_values(model->layer(1)), expected[1]) << "seed " << seed;
  }
  EXPECT_NE(expected_random_masks(1, 6), expected_random_masks(2, 6));  // the seed matters
}

TEST(Neuron, RemovesTheUnitsWithTheSmallestIncomingNorm) {
  auto build = [] {
    auto model = testing::make_chain_model();
    model->set_weight(0, {3, 4, 6, 0, 1, 1});  // unit norms l2 {5, 6, 1.41}, l1 {7, 6, 2}
    model->set_weight(1, {10, 10, 10, 10, 10, 10});
    return model;
  };
  auto context = testing::no_data_context();
  auto l2 = build();
  PruneReport report = prune_step(*l2, *make_pruner("neuron"), context, rule("count", 2));
  EXPECT_EQ(report.units_pruned, 2);
  EXPECT_EQ(mask_values(l2->layer(0)), (std::vector<int>{0, 0, 1, 1, 0, 0}));  // units 0 and 2
  EXPECT_EQ(mask_values(l2->layer(1)), (std::vector<int>{0, 1, 0, 0, 1, 0}));  // their outgoing columns
  auto l1 = build();
  prune_step(*l1, *make_pruner("neuron", one("norm", std::string("l1"))), context, rule("count", 2));
  EXPECT_EQ(mask_values(l1->layer(0)), (std::vector<int>{1, 1, 0, 0, 0, 0}));  // units 1 and 2
  // only active weights count: with the 4 masked, unit 0's l1 norm is 3 and it goes before unit 1
  auto masked = build();
  masked->layer(0)->set_mask(torch::tensor({1, 0, 1, 1, 1, 1}).view({3, 2}));
  prune_step(*masked, *make_pruner("neuron", one("norm", std::string("l1"))), context, rule("count", 2));
  EXPECT_EQ(mask_values(masked->layer(0)), (std::vector<int>{0, 0, 1, 1, 0, 0}));
}

TEST(PrunerParameters, BadValuesAreConfigErrorsNamingTheKey) {
  auto expect_config_error = [](const std::string& plugin, const Params& params, const std::string& key) {
    try {
      make_pruner(plugin, params);
      ADD_FAILURE() << plugin << ": expected ConfigError for " << key;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  };
  expect_config_error("magnitude_std", one("quality", -0.5), "quality");
  expect_config_error("magnitude_std", one("quality", std::string("high")), "quality");
  expect_config_error("obd", one("batches", std::int64_t{0}), "batches");
  expect_config_error("obd", one("estimator", std::string("hessian")), "estimator");
  expect_config_error("taylor", one("batches", std::int64_t{-3}), "batches");
  expect_config_error("neuron", one("norm", std::string("linf")), "norm");
  expect_config_error("magnitude_global", one("fraction", 0.2), "fraction");  // not a parameter of it
}

TEST(PrunerPlugins, DeclareTheirGranularityAndScope) {
  using plugin::PruningGranularity;
  using plugin::SelectionScope;
  EXPECT_EQ(make_pruner("magnitude_global")->scope(), SelectionScope::global);
  EXPECT_EQ(make_pruner("magnitude_layerwise")->scope(), SelectionScope::per_layer);
  EXPECT_EQ(make_pruner("magnitude_std")->scope(), SelectionScope::below_zero);
  EXPECT_EQ(make_pruner("neuron")->granularity(), PruningGranularity::unit);
  for (const char* name :
       {"magnitude_global", "magnitude_layerwise", "magnitude_std", "random", "obd", "taylor", "snip", "grasp",
        "synflow"}) {
    EXPECT_EQ(make_pruner(name)->granularity(), PruningGranularity::weight) << name;
  }
  for (const char* name : {"snip", "grasp", "synflow"}) {
    EXPECT_EQ(make_pruner(name)->scope(), SelectionScope::global) << name;
  }
}

}  // namespace
}  // namespace structlab::prune
