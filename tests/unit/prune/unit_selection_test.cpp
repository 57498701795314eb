// Unit granularity: whole units go, with their incoming rows and outgoing columns; dead-unit counting.

#include <gtest/gtest.h>

#include "structlab/error.hpp"
#include "structlab/nn/masked_deep_dan.hpp"
#include "structlab/prune/dead_units.hpp"
#include "structlab/prune/selection.hpp"
#include "unit/nn/test_structures.hpp"
#include "unit/prune/tiny_model.hpp"

namespace structlab::prune {
namespace {

using plugin::PruningGranularity;
using plugin::SelectionScope;
using testing::mask_values;
using testing::rule;
using testing::TinyLayer;
using testing::TinyModel;

// Structure layers 0 and 1 with 2 units each, an input of 3 and one output. Layer 1 is fed by layer 0
// and by a skip layer from the input; layer 0 feeds layer 1 and, by a skip layer, the output.
std::shared_ptr<TinyModel> make_skip_model() {
  return std::make_shared<TinyModel>(std::vector<TinyLayer>{{"main_0", 3, 2, nn::kInputLayer, 0},
                                                            {"main_1", 2, 2, 0, 1},
                                                            {"skip_in_1", 3, 2, nn::kInputLayer, 1},
                                                            {"skip_0_out", 2, 1, 0, 2},
                                                            {"output", 2, 1, 1, 2}},
                                     2);
}

std::vector<torch::Tensor> unit_scores(std::vector<std::vector<double>> per_layer) {
  std::vector<torch::Tensor> scores;
  for (auto& values : per_layer) scores.push_back(torch::tensor(values));
  return scores;
}

PruneReport select_units(TinyModel& model, const std::vector<torch::Tensor>& scores,
                         const SelectionOptions& s, SelectionScope scope = SelectionScope::global) {
  return apply_selection(model, scores, PruningGranularity::unit, scope, s);
}

TEST(UnitSelection, RemovesIncomingRowsAndOutgoingColumnsOfTheLowestUnits) {
  auto model = make_skip_model();
  // units: layer 0 {5, 1}; layer 1 {min(4, 7), min(6, 3)} = {4, 3}; half of 4 units go: 1 and 3
  auto scores = unit_scores({{5, 1}, {4, 6}, {7, 3}, {0}, {0}});
  PruneReport report = select_units(*model, scores, rule("fraction", 0.5));
  EXPECT_EQ(report.units_pruned, 2);
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{1, 1, 1, 0, 0, 0}));  // row 1
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{1, 0, 0, 0}));        // column 1, row 1
  EXPECT_EQ(mask_values(model->layer(2)), (std::vector<int>{1, 1, 1, 0, 0, 0}));  // row 1
  EXPECT_EQ(mask_values(model->layer(3)), (std::vector<int>{1, 0}));              // column 1
  EXPECT_EQ(mask_values(model->layer(4)), (std::vector<int>{1, 0}));              // column 1 (excluded layer)
  EXPECT_EQ(report.pruned(), 3 + 3 + 3 + 1 + 1);
}

TEST(UnitSelection, NeverRemovesOutputUnits) {
  auto model = testing::make_chain_model();
  SelectionOptions selection = rule("count", 100);
  selection.exclude_output = false;
  PruneReport report = select_units(*model, unit_scores({{1, 2, 3}, {4, 5}, {-1}}), selection);
  EXPECT_EQ(report.units_pruned, 5);  // the 3 + 2 hidden units, not the output unit
  EXPECT_EQ(model->active_weight_count(), 0);
}

TEST(UnitSelection, AnExcludedFeedingLayerProtectsItsUnits) {
  auto model = make_skip_model();
  SelectionOptions selection = rule("count", 1);
  selection.exclude_layers = {"skip_in_1"};
  select_units(*model, unit_scores({{5, 4}, {1, 2}, {1, 2}, {0}, {0}}), selection);
  // layer 1's units score lowest but are protected: unit 1 of layer 0 (score 4) goes
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(mask_values(model->layer(2)), (std::vector<int>{1, 1, 1, 1, 1, 1}));
}

TEST(UnitSelection, RemovedUnitsAreNotCountedAgain) {
  auto model = testing::make_chain_model();
  auto scores = unit_scores({{1, 2, 9}, {4, 5}, {0}});
  EXPECT_EQ(select_units(*model, scores, rule("count", 1)).units_pruned, 1);
  // 4 active units remain: a quarter of them is 1, unit 1 of layer 0 (score 2)
  EXPECT_EQ(select_units(*model, scores, rule("fraction", 0.25)).units_pruned, 1);
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{0, 0, 0, 0, 1, 1}));
  // target density 0.4 of the 5 hidden units keeps 2: of the active {9, 4, 5}, unit 0 of layer 1 goes
  EXPECT_EQ(select_units(*model, scores, rule("density", 0.4)).units_pruned, 1);
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(mask_values(model->layer(2)), (std::vector<int>{0, 1}));
}

TEST(UnitSelection, PerLayerScopeTakesTheShareOfEachStructureLayer) {
  auto model = testing::make_chain_model();
  PruneReport report = select_units(*model, unit_scores({{3, 1, 2}, {9, 8}, {0}}), rule("fraction", 0.5),
                                    SelectionScope::per_layer);
  // round(1.5) = 2 of layer 0 (scores 1, 2), round(1) = 1 of layer 1 (score 8)
  EXPECT_EQ(report.units_pruned, 3);
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{1, 1, 0, 0, 0, 0}));
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{1, 0, 0, 0, 0, 0}));
  EXPECT_EQ(mask_values(model->layer(2)), (std::vector<int>{1, 0}));
}

TEST(DeadUnits, AFreshModelHasNone) {
  auto model = make_skip_model();
  DeadUnitReport report = count_dead_units(*model);
  ASSERT_EQ(report.layers.size(), 2u);
  EXPECT_EQ(report.units(), 4);
  EXPECT_EQ(report.dead(), 0);
}

TEST(DeadUnits, CountsUnitsWithoutInputsOrOutputsOncePerUnit) {
  auto model = testing::make_chain_model();
  model->layer(0)->set_mask(torch::tensor({1, 1, 0, 0, 1, 1}).view({3, 2}));  // unit 1 of layer 0: no inputs
  model->layer(1)->set_mask(torch::tensor({1, 1, 0, 1, 1, 0}).view({2, 3}));  // unit 2 of layer 0: no outputs
  model->layer(2)->set_mask(torch::tensor({0, 1}).view({1, 2}));              // unit 0 of layer 1: no outputs
  DeadUnitReport report = count_dead_units(*model);
  ASSERT_EQ(report.layers.size(), 2u);
  EXPECT_EQ(report.layers[0].layer, 0);
  EXPECT_EQ(report.layers[0].units, 3);
  EXPECT_EQ(report.layers[0].without_inputs, 1);
  EXPECT_EQ(report.layers[0].without_outputs, 1);
  EXPECT_EQ(report.layers[0].dead, 2);
  EXPECT_EQ(report.layers[1].without_inputs, 0);
  EXPECT_EQ(report.layers[1].without_outputs, 1);
  EXPECT_EQ(report.dead(), 3);
  // a unit without inputs and without outputs is one dead unit
  model->layer(1)->set_mask(torch::tensor({1, 0, 0, 1, 0, 0}).view({2, 3}));
  report = count_dead_units(*model);
  EXPECT_EQ(report.layers[0].without_inputs, 1);
  EXPECT_EQ(report.layers[0].without_outputs, 2);
  EXPECT_EQ(report.layers[0].dead, 2);
}

TEST(DeadUnits, ASkipConnectionKeepsAUnitAlive) {
  auto model = make_skip_model();
  model->layer(1)->set_mask(torch::zeros({2, 2}, torch::kBool));  // layer 0 no longer feeds layer 1
  model->layer(3)->set_mask(torch::tensor({1, 0}).view({1, 2}));  // but unit 0 still feeds the output
  DeadUnitReport report = count_dead_units(*model);
  EXPECT_EQ(report.layers[0].without_outputs, 1);  // unit 1
  EXPECT_EQ(report.layers[1].without_inputs, 0);   // the skip layer from the input still feeds layer 1
}

TEST(DeadUnits, RemovedUnitsCountAsDead) {
  auto model = testing::make_chain_model();
  select_units(*model, unit_scores({{1, 2, 3}, {4, 5}, {0}}), rule("count", 1));
  EXPECT_EQ(count_dead_units(*model).dead(), 1);
}

TEST(DeadUnits, ADanSinkFeedingTheOutputsIsAliveUntilThoseWeightsGo) {
  // layers {0, 1} -> {2} -> {3, 5} -> {4}: vertex 5 is a sink in layer 2
  for (bool sinks_to_output : {false, true}) {
    nn::MaskedDeepDAN model(nn::testing::small_dag(),
                            nn::MaskedDeepDANOptions({4}, 3).sinks_to_output(sinks_to_output));
    DeadUnitReport report = count_dead_units(*model);
    EXPECT_EQ(report.units(), 6);
    EXPECT_EQ(report.without_outputs(), sinks_to_output ? 0 : 1);
    if (!sinks_to_output) continue;
    for (auto& ref : model->masked_layers()) {
      if (ref.name == "output_from_2") ref.set_mask(torch::zeros({3, 2}));
    }
    EXPECT_EQ(count_dead_units(*model).without_outputs(), 1);
  }
}

TEST(DeadUnits, LayersDisagreeingOnAWidthAreAModelError) {
  TinyModel model({{"a", 2, 3, nn::kInputLayer, 0}, {"b", 2, 4, nn::kInputLayer, 0}, {"out", 3, 1, 0, 1}}, 1);
  EXPECT_THROW(count_dead_units(model), ModelError);
  TinyModel out_of_range({{"a", 2, 3, nn::kInputLayer, 5}}, 1);
  EXPECT_THROW(count_dead_units(out_of_range), ModelError);
}

}  // namespace
}  // namespace structlab::prune
