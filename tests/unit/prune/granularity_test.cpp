// `pruning.selection.granularity`: weight scores grouped into whole kernels or whole channels, on a masked
// CNN.

#include <gtest/gtest.h>

#include "structlab/error.hpp"
#include "structlab/nn/masked_cnn.hpp"
#include "structlab/prune/selection.hpp"
#include "unit/nn/test_structures.hpp"
#include "unit/prune/tiny_model.hpp"

namespace structlab::prune {
namespace {

using plugin::PruningGranularity;
using plugin::SelectionScope;
using testing::rule;

// conv_0 [2, 1, 3, 3], conv_1 [3, 2, 3, 3], output [2, 3, 36] (its view), every weight 1.
nn::MaskedCNN small_cnn() {
  nn::MaskedCNN model(nn::MaskedCNNOptions({1, 6, 6}, 2)
                          .channels({2, 3})
                          .kernel_sizes({3, 3})
                          .paddings({1, 1})
                          .pool(1)
                          .hidden_widths({}));
  torch::NoGradGuard no_grad;
  for (auto& parameter : model->parameters()) parameter.fill_(1.0);
  return model;
}

std::vector<torch::Tensor> magnitudes(nn::MaskedModel& model) {
  std::vector<torch::Tensor> scores;
  for (const auto& layer : model.masked_layers())
    scores.push_back(layer.weight.detach().abs().to(torch::kDouble));
  return scores;
}

SelectionOptions by(const std::string& granularity, double count) {
  SelectionOptions selection = rule("count", count);
  selection.granularity = parse_mask_granularity(granularity);
  return selection;
}

TEST(KernelGranularity, RemovesTheWholeKernelWithTheLowestMean) {
  auto model = small_cnn();
  auto layers = model->masked_layers();
  {
    torch::NoGradGuard no_grad;
    layers[1].weight[1][0].fill_(0.1);    // mean 0.1: the lowest kernel of all
    layers[0].weight[0][0][1][1] = 0.05;  // the lowest single weight, in a kernel whose mean is 0.89
  }
  const auto report = apply_selection(*model, magnitudes(*model), PruningGranularity::weight,
                                      SelectionScope::global, by("kernel", 1));
  EXPECT_EQ(report.pruned(), 9);
  EXPECT_FALSE(layers[1].mask[1][0].any().item<bool>());
  EXPECT_EQ(layers[1].active_weight_count(), 3 * 2 * 9 - 9);
  EXPECT_TRUE(layers[0].mask.all().item<bool>());
  EXPECT_EQ(layers[1].weight[1][0].abs().sum().item<float>(), 0.0f) << "pruned weights are zeroed";

  // the same scores at weight granularity take the single lowest weight
  auto again = small_cnn();
  auto again_layers = again->masked_layers();
  {
    torch::NoGradGuard no_grad;
    again_layers[1].weight[1][0].fill_(0.1);
    again_layers[0].weight[0][0][1][1] = 0.05;
  }
  apply_selection(*again, magnitudes(*again), PruningGranularity::weight, SelectionScope::global,
                  by("weight", 1));
  EXPECT_FALSE(again_layers[0].mask[0][0][1][1].item<bool>());
  EXPECT_EQ(again->active_weight_count(), again->total_weight_count() - 1);
}

TEST(KernelGranularity, FractionAndDensityCountKernels) {
  auto model = small_cnn();
  SelectionOptions half = rule("fraction", 0.5);
  half.granularity = MaskGranularity::kernel;
  const auto report = apply_selection(*model, magnitudes(*model), PruningGranularity::weight,
                                      SelectionScope::per_layer, half);
  // conv_0 has 2 kernels, conv_1 has 6: half of each goes, whole
  EXPECT_EQ(report.layers[0].pruned(), 9);
  EXPECT_EQ(report.layers[1].pruned(), 3 * 9);
  EXPECT_EQ(report.layers[2].pruned(), 0) << "the output layer is excluded";
  const auto connections = model->masked_layers()[1].connections();
  EXPECT_EQ(connections.sum().item<std::int64_t>(), 3);
}

TEST(KernelGranularity, OnAMatrixIsWeightGranularity) {
  auto kernel_model = testing::make_chain_model();
  auto weight_model = testing::make_chain_model();
  for (auto* model : {&kernel_model, &weight_model}) {
    (*model)->set_weight(0, {0.5f, -0.1f, 0.3f, 0.2f, -0.9f, 0.05f});
    (*model)->set_weight(1, {0.4f, 0.6f, -0.2f, 0.7f, 0.8f, -0.3f});
  }
  apply_selection(*kernel_model, magnitudes(*kernel_model), PruningGranularity::weight,
                  SelectionScope::global, by("kernel", 3));
  apply_selection(*weight_model, magnitudes(*weight_model), PruningGranularity::weight,
                  SelectionScope::global, by("weight", 3));
  const auto kernel_layers = kernel_model->masked_layers();
  const auto weight_layers = weight_model->masked_layers();
  for (std::size_t i = 0; i < kernel_layers.size(); ++i) {
    EXPECT_TRUE(torch::equal(kernel_layers[i].mask, weight_layers[i].mask)) << kernel_layers[i].name;
  }
  EXPECT_EQ(kernel_model->active_weight_count(), kernel_model->total_weight_count() - 3);
}

TEST(ChannelGranularity, RemovesTheOutputChannelWithTheLowestMeanAndWhatItFeeds) {
  auto model = small_cnn();
  auto layers = model->masked_layers();
  {
    torch::NoGradGuard no_grad;
    layers[0].weight[1].fill_(0.01);  // channel 1 of stage 0: row mean 0.01
  }
  const auto report = apply_selection(*model, magnitudes(*model), PruningGranularity::weight,
                                      SelectionScope::global, by("channel", 1));
  EXPECT_EQ(report.units_pruned, 1);
  EXPECT_FALSE(layers[0].mask[1].any().item<bool>());
  EXPECT_TRUE(layers[0].mask[0].all().item<bool>());
  EXPECT_FALSE(layers[1].mask.select(1, 1).any().item<bool>()) << "the kernels reading the channel go too";
  EXPECT_TRUE(layers[1].mask.select(1, 0).all().item<bool>());
  EXPECT_EQ(report.pruned(), 9 + 3 * 9);
}

TEST(ChannelGranularity, RanksByTheMeanOfTheActiveEntriesOnly) {
  auto model = small_cnn();
  auto layers = model->masked_layers();
  // channel 0 keeps one active weight, 0.2, beside inactive ones still holding 1 (mean of the active: 0.2; of
  // all nine: 0.91); channel 1 is all 0.5; the rows of conv_1 (18 entries of 1) stay
  layers[0].mask[0].fill_(false);
  layers[0].mask[0][0][0][0] = true;
  {
    torch::NoGradGuard no_grad;
    layers[0].weight[0][0][0][0] = 0.2;
    layers[0].weight[1].fill_(0.5);
  }
  apply_selection(*model, magnitudes(*model), PruningGranularity::weight, SelectionScope::global,
                  by("channel", 1));
  EXPECT_FALSE(layers[0].mask[0].any().item<bool>());
  EXPECT_TRUE(layers[0].mask[1].all().item<bool>());
}

TEST(KernelGranularity, RanksKernelsOfDifferentSizesByTheirMean) {
  auto model = small_cnn();
  auto layers = model->masked_layers();
  // a 3x3 kernel of 0.3 (sum 2.7, mean 0.3) against the output layer's 36-entry groups of 0.1 (sum 3.6, mean
  // 0.1): by the mean the larger groups go first
  {
    torch::NoGradGuard no_grad;
    layers[1].weight[0][0].fill_(0.3);
    layers[2].weight.fill_(0.1);
  }
  SelectionOptions selection = by("kernel", 1);
  selection.exclude_output = false;
  apply_selection(*model, magnitudes(*model), PruningGranularity::weight, SelectionScope::global, selection);
  EXPECT_TRUE(layers[1].mask.all().item<bool>());
  EXPECT_FALSE(layers[2].mask[0][0].any().item<bool>());
  EXPECT_EQ(model->active_weight_count(), model->total_weight_count() - 36);
}

TEST(Granularity, RefusedWhereItCannotApply) {
  auto model = small_cnn();
  const std::string unit_strategy = nn::testing::message_of([&] {
    std::vector<torch::Tensor> unit_scores;
    for (const auto& layer : model->masked_layers())
      unit_scores.push_back(torch::ones({layer.out_features()}));
    apply_selection(*model, unit_scores, PruningGranularity::unit, SelectionScope::global, by("kernel", 1));
  });
  EXPECT_NE(unit_strategy.find("pruning.selection.granularity"), std::string::npos) << unit_strategy;
  EXPECT_NE(unit_strategy.find("scores whole units"), std::string::npos) << unit_strategy;
  SelectionOptions n_m = by("channel", 0);
  n_m.rule = SelectionRule::n_m;
  const std::string blocks = nn::testing::message_of([&] { validate_selection(n_m); });
  EXPECT_NE(blocks.find("granularity weight"), std::string::npos) << blocks;
  EXPECT_THROW(parse_mask_granularity("filter"), ConfigError);
  const std::string wrong_shape = nn::testing::message_of([&] {
    std::vector<torch::Tensor> flat;
    for (const auto& layer : model->masked_layers())
      flat.push_back(torch::ones({layer.out_features(), layer.in_features()}));
    apply_selection(*model, flat, PruningGranularity::weight, SelectionScope::global, by("weight", 1));
  });
  EXPECT_NE(wrong_shape.find("expected [2, 1, 3, 3]"), std::string::npos) << wrong_shape;
}

}  // namespace
}  // namespace structlab::prune
