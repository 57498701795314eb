// The selection: which scored entries a pruning.selection spec removes, exactly.

#include "structlab/prune/selection.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "structlab/error.hpp"
#include "unit/prune/tiny_model.hpp"

namespace structlab::prune {
namespace {

using plugin::PruningGranularity;
using plugin::SelectionScope;
using testing::make_chain_model;
using testing::mask_values;
using testing::rule;

// Scores of the chain model: hidden_0 [3, 2], hidden_1 [2, 3], output [1, 2].
std::vector<torch::Tensor> chain_scores(const std::vector<double>& hidden_0,
                                        const std::vector<double>& hidden_1,
                                        const std::vector<double>& output) {
  return {torch::tensor(hidden_0).view({3, 2}), torch::tensor(hidden_1).view({2, 3}),
          torch::tensor(output).view({1, 2})};
}

// Interleaved scores so that a global ranking touches both hidden layers.
std::vector<torch::Tensor> interleaved_scores() {
  return chain_scores({5, 1, 9, 3, 11, 7}, {2, 10, 4, 12, 6, 8}, {0.5, 0.1});
}

PruneReport select(testing::TinyModel& model, const std::vector<torch::Tensor>& scores,
                   const SelectionOptions& s, SelectionScope scope = SelectionScope::global) {
  return apply_selection(model, scores, PruningGranularity::weight, scope, s);
}

TEST(Selection, GlobalFractionPrunesExactlyTheLowestScores) {
  auto model = make_chain_model();
  // 12 prunable weights (the output layer is excluded by default); a quarter is 3: scores 1, 2, 3
  PruneReport report = select(*model, interleaved_scores(), rule("fraction", 0.25));
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{1, 0, 1, 0, 1, 1}));
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{0, 1, 1, 1, 1, 1}));
  EXPECT_EQ(mask_values(model->layer(2)), (std::vector<int>{1, 1}));
  EXPECT_EQ(report.pruned(), 3);
  EXPECT_EQ(report.layers[0].pruned(), 2);
  EXPECT_EQ(report.layers[1].pruned(), 1);
  EXPECT_EQ(report.layers[2].pruned(), 0);
  EXPECT_TRUE(report.layers[2].excluded);
  EXPECT_EQ(report.active_before(), 14);
  EXPECT_EQ(report.active_after(), 11);
  EXPECT_EQ(report.total(), 14);
  EXPECT_DOUBLE_EQ(report.density(), 11.0 / 14.0);
}

TEST(Selection, FractionOfAHundredHitsTheExactCount) {
  // 0.2 * 100 is 20.000000000000004 in binary: the count must still be 20, and 0.3 * 10 exactly 3
  auto model = std::make_shared<testing::TinyModel>(
      std::vector<testing::TinyLayer>{{"hidden_0", 10, 10, nn::kInputLayer, 0}, {"output", 10, 1, 0, 1}}, 1);
  std::vector<torch::Tensor> scores{torch::arange(100, torch::kDouble).view({10, 10}), torch::ones({1, 10})};
  EXPECT_EQ(select(*model, scores, rule("fraction", 0.2)).pruned(), 20);
  EXPECT_EQ(model->layer(0)->active_weight_count(), 80);
  EXPECT_EQ(select(*model, scores, rule("fraction", 0.3)).pruned(), 24);  // 0.3 of the 80 remaining
  EXPECT_EQ(model->layer(0)->active_weight_count(), 56);
  // the pruned ones are the 44 lowest scores, i.e. the first 44 row-major entries
  auto mask = model->layer(0)->mask().view({-1});
  EXPECT_FALSE(mask.slice(0, 0, 44).any().item<bool>());
  EXPECT_TRUE(mask.slice(0, 44, 100).all().item<bool>());
}

TEST(Selection, FractionIsOfTheRemainingWeightsOnly) {
  auto model = make_chain_model();
  select(*model, interleaved_scores(), rule("count", 4));  // scores 1..4 gone, 8 remain
  PruneReport report = select(*model, interleaved_scores(), rule("fraction", 0.5));
  EXPECT_EQ(report.pruned(), 4);  // half of 8: scores 5..8
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{0, 0, 1, 0, 1, 0}));
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{0, 1, 0, 1, 0, 0}));
}

TEST(Selection, CountRemovesThatManyOrAllThatRemain) {
  auto model = make_chain_model();
  EXPECT_EQ(select(*model, interleaved_scores(), rule("count", 5)).pruned(), 5);
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{0, 0, 1, 0, 1, 1}));
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{0, 1, 0, 1, 1, 1}));
  PruneReport rest = select(*model, interleaved_scores(), rule("count", 100));
  EXPECT_EQ(rest.pruned(), 7);
  EXPECT_EQ(model->layer(0)->active_weight_count() + model->layer(1)->active_weight_count(), 0);
  EXPECT_EQ(model->layer(2)->active_weight_count(), 2);
}

TEST(Selection, DensityPrunesDownToTheTargetAndNeverRegrows) {
  auto model = make_chain_model();
  // keep round(0.25 * 12) = 3 of the 12 prunable weights: the scores 10, 11, 12
  PruneReport report = select(*model, interleaved_scores(), rule("density", 0.25));
  EXPECT_EQ(report.pruned(), 9);
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{0, 0, 0, 0, 1, 0}));
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{0, 1, 0, 1, 0, 0}));
  EXPECT_EQ(select(*model, interleaved_scores(), rule("density", 0.5)).pruned(), 0);
  EXPECT_EQ(model->active_weight_count(), 3 + 2);
}

TEST(Selection, TiesGoToTheEarlierLayerThenTheLowerIndex) {
  auto model = make_chain_model();
  std::vector<torch::Tensor> equal{torch::ones({3, 2}), torch::ones({2, 3}), torch::ones({1, 2})};
  select(*model, equal, rule("count", 7));
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{0, 1, 1, 1, 1, 1}));
}

TEST(Selection, InactiveEntriesAreNeverChosenWhateverTheirScore) {
  auto model = make_chain_model();
  model->layer(0)->set_mask(torch::tensor({0, 1, 1, 1, 1, 0}).view({3, 2}));
  // the two masked entries have the lowest scores; the next two lowest active ones go
  auto scores = chain_scores({-100, 1, 2, 3, 4, -100}, {5, 6, 7, 8, 9, 10}, {0, 0});
  EXPECT_EQ(select(*model, scores, rule("count", 2)).pruned(), 2);
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{0, 0, 0, 1, 1, 0}));
}

TEST(Selection, OutputLayerIsPrunableWhenNotExcluded) {
  auto model = make_chain_model();
  SelectionOptions selection = rule("count", 1);
  selection.exclude_output = false;
  PruneReport report = select(*model, interleaved_scores(), selection);
  EXPECT_EQ(mask_values(model->layer(2)), (std::vector<int>{1, 0}));  // 0.1 is the lowest of all
  EXPECT_FALSE(report.layers[2].excluded);
}

TEST(Selection, ExcludedLayersKeepTheirWeights) {
  auto model = make_chain_model();
  SelectionOptions selection = rule("count", 3);
  selection.exclude_layers = {"hidden_0"};
  select(*model, interleaved_scores(), selection);
  EXPECT_EQ(model->layer(0)->active_weight_count(), 6);
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{0, 1, 0, 1, 0, 1}));  // 2, 4, 6
}

TEST(Selection, UnknownExcludedLayerIsAConfigErrorNamingTheKnownOnes) {
  auto model = make_chain_model();
  SelectionOptions selection = rule("count", 1);
  selection.exclude_layers = {"hidden_7"};
  try {
    select(*model, interleaved_scores(), selection);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("hidden_7"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("hidden_0, hidden_1, output"), std::string::npos) << e.what();
  }
  EXPECT_EQ(model->active_weight_count(), 14);
}

TEST(Selection, PerLayerScopeAppliesTheRuleToEachLayer) {
  auto model = make_chain_model();
  PruneReport report = select(*model, interleaved_scores(), rule("fraction", 0.5), SelectionScope::per_layer);
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{0, 0, 1, 0, 1, 1}));  // 1, 3, 5 of {5,1,9,3,11,7}
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{0, 1, 0, 1, 0, 1}));  // 2, 4, 6
  EXPECT_EQ(report.layers[2].pruned(), 0);
  // density per layer: each layer keeps round(1/6 * 6) = 1
  select(*model, interleaved_scores(), rule("density", 1.0 / 6.0), SelectionScope::per_layer);
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{0, 0, 0, 0, 1, 0}));
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{0, 0, 0, 1, 0, 0}));
}

TEST(Selection, BelowZeroScopePrunesNegativeScoresAndIgnoresTheAmount) {
  auto model = make_chain_model();
  auto scores = chain_scores({-1, 0, 2, -0.5, 1, 1}, {3, -2, 4, 5, -1e-9, 6}, {-5, -5});
  PruneReport report = select(*model, scores, rule("count", 0), SelectionScope::below_zero);
  EXPECT_EQ(report.pruned(), 4);
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{0, 1, 1, 0, 1, 1}));
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{1, 0, 1, 1, 0, 1}));
  EXPECT_EQ(mask_values(model->layer(2)), (std::vector<int>{1, 1}));  // excluded output
}

TEST(Selection, PrunedWeightsAreSetToZero) {
  auto model = make_chain_model();
  model->set_weight(0, {1, 2, 3, 4, 5, 6});
  select(*model, interleaved_scores(), rule("count", 3));  // scores 1, 2, 3: entries 1 and 3 of hidden_0
  torch::Tensor weight = model->layer(0)->weight.detach().view({-1});
  EXPECT_EQ(weight[1].item<float>(), 0.0f);
  EXPECT_EQ(weight[3].item<float>(), 0.0f);
  EXPECT_EQ(weight[0].item<float>(), 1.0f);
  EXPECT_EQ(weight[5].item<float>(), 6.0f);
}

TEST(Selection, InfiniteScoresRankLast) {
  auto model = make_chain_model();
  const double inf = std::numeric_limits<double>::infinity();
  auto scores = chain_scores({inf, inf, inf, inf, inf, -inf}, {inf, inf, inf, inf, inf, 1}, {0, 0});
  select(*model, scores, rule("count", 2));
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{1, 1, 1, 1, 1, 0}));
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{1, 1, 1, 1, 1, 0}));
}

TEST(Selection, MalformedScoresAreModelErrors) {
  auto model = make_chain_model();
  auto scores = interleaved_scores();
  EXPECT_THROW(select(*model, {scores[0], scores[1]}, rule("count", 1)), ModelError);
  try {
    select(*model, {scores[0], torch::ones({3, 2}), scores[2]}, rule("count", 1));
    FAIL() << "expected ModelError";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("'hidden_1' has shape [3, 2], expected [2, 3]"), std::string::npos)
        << e.what();
  }
  scores[1] = scores[1].clone();
  scores[1][0][1] = std::nan("");
  EXPECT_THROW(select(*model, scores, rule("count", 1)), ModelError);
  EXPECT_THROW(apply_selection(*model, interleaved_scores(), PruningGranularity::unit, SelectionScope::global,
                               rule("count", 1)),
               ModelError);
  EXPECT_EQ(model->active_weight_count(), 14);
}

TEST(Selection, BadRulesAndAmountsAreConfigErrors) {
  EXPECT_THROW(validate_selection(rule("percent", 0.2)), ConfigError);
  EXPECT_THROW(validate_selection(rule("fraction", 1.5)), ConfigError);
  EXPECT_THROW(validate_selection(rule("fraction", -0.1)), ConfigError);
  EXPECT_THROW(validate_selection(rule("fraction", std::nan(""))), ConfigError);
  EXPECT_THROW(validate_selection(rule("density", 1.01)), ConfigError);
  EXPECT_THROW(validate_selection(rule("count", 2.5)), ConfigError);
  EXPECT_THROW(validate_selection(rule("count", -1)), ConfigError);
  EXPECT_NO_THROW(validate_selection(rule("count", 0)));
  EXPECT_NO_THROW(validate_selection(rule("density", 1.0)));
  try {
    validate_selection(rule("percent", 0.2));
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("pruning.selection.rule"), std::string::npos) << e.what();
  }
  auto model = make_chain_model();
  EXPECT_THROW(select(*model, interleaved_scores(), rule("fraction", 2.0)), ConfigError);
  EXPECT_EQ(model->active_weight_count(), 14);
}

// A strategy written in the test: counts its score() calls, and throws what it is told to.
class ScriptedStrategy : public plugin::PruningStrategy {
 public:
  explicit ScriptedStrategy(bool throw_foreign) : throw_foreign_(throw_foreign) {}
  PruningGranularity granularity() const override { return PruningGranularity::weight; }
  SelectionScope scope() const override { return SelectionScope::global; }
  std::vector<torch::Tensor> score(nn::MaskedModel& /*model*/,
                                   plugin::PruningContext& /*context*/) const override {
    ++calls;
    if (throw_foreign_) throw std::out_of_range("index 7 out of range");
    return interleaved_scores();
  }
  mutable int calls = 0;

 private:
  bool throw_foreign_;
};

// A [2 out, 6 in] layer then the output: n_m blocks of 4 leave a short block of 2 at the end of each row.
std::shared_ptr<testing::TinyModel> six_input_model() {
  return std::make_shared<testing::TinyModel>(
      std::vector<testing::TinyLayer>{{"hidden", 6, 2, nn::kInputLayer, 0}, {"output", 2, 1, 0, 1}}, 1);
}

SelectionOptions n_m(std::int64_t n, std::int64_t m) {
  SelectionOptions s = rule("n_m", 0.0);
  s.pattern_n = n;
  s.pattern_m = m;
  return s;
}

TEST(Selection, NmKeepsTheBestNOfEveryMConsecutiveWeightsOfARow) {
  auto model = six_input_model();
  // row 0: block 4 1 3 2 keeps 4 and 3; the short block 5 6 keeps both.
  // row 1: block 1 1 9 0 keeps 9 and the later 1 (a tie goes to the lower index first); 7 8 stay.
  const std::vector<torch::Tensor> scores{torch::tensor(std::vector<double>{4, 1, 3, 2, 5, 6, 1, 1, 9, 0, 7, 8}).view({2, 6}),
                                          torch::tensor(std::vector<double>{0.1, 0.2}).view({1, 2})};
  PruneReport report = select(*model, scores, n_m(2, 4));
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1}));
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{1, 1})) << "the output layer is excluded by default";
  EXPECT_EQ(report.layers[0].pruned(), 4);
  // 1:2 on what is left: inactive weights count towards no block's N
  select(*model, scores, n_m(1, 2));
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1}));
  // every block of 2 has at most 1 active weight
  const torch::Tensor blocks = model->layer(0)->mask().view({2, 3, 2}).sum(2);
  EXPECT_LE(blocks.max().item<std::int64_t>(), 1);
}

TEST(Selection, NmIsForWeightsAndNeedsNNotAboveM) {
  auto model = six_input_model();
  const std::vector<torch::Tensor> unit_scores{torch::tensor(std::vector<double>{1, 2}),
                                               torch::tensor(std::vector<double>{1})};
  EXPECT_THROW(apply_selection(*model, unit_scores, PruningGranularity::unit, SelectionScope::global, n_m(2, 4)),
               ConfigError);
  try {
    validate_selection(n_m(3, 2));
    ADD_FAILURE() << "3:2 accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("pruning.selection.pattern"), std::string::npos) << e.what();
  }
  EXPECT_EQ(parse_selection_rule("n_m"), SelectionRule::n_m);
}

TEST(PruneStep, ScoresThenSelects) {
  auto model = make_chain_model();
  auto context = testing::no_data_context();
  ScriptedStrategy strategy(false);
  EXPECT_EQ(prune_step(*model, strategy, context, rule("fraction", 0.25)).pruned(), 3);
  EXPECT_EQ(strategy.calls, 1);
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{1, 0, 1, 0, 1, 1}));
}

TEST(PruneStep, ChecksTheSelectionBeforeScoring) {
  auto model = make_chain_model();
  auto context = testing::no_data_context();
  ScriptedStrategy strategy(false);
  SelectionOptions misspelt = rule("count", 1);
  misspelt.exclude_layers = {"hiden_0"};
  EXPECT_THROW(prune_step(*model, strategy, context, misspelt), ConfigError);
  EXPECT_THROW(prune_step(*model, strategy, context, rule("fraction", 7)), ConfigError);
  EXPECT_EQ(strategy.calls, 0);
}

TEST(PruneStep, AForeignExceptionFromTheStrategyBecomesAPluginError) {
  auto model = make_chain_model();
  auto context = testing::no_data_context();
  ScriptedStrategy strategy(true);
  try {
    prune_step(*model, strategy, context, rule("count", 1));
    FAIL() << "expected PluginError";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("index 7 out of range"), std::string::npos) << e.what();
  }
  EXPECT_EQ(model->active_weight_count(), 14);
}

}  // namespace
}  // namespace structlab::prune
