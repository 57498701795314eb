// Lottery-ticket controls (pruning.controls: [reinit, random_masks]) of an iterative schedule: at every level the
// ticket's masks are trained again from fresh initial weights, and random masks of the ticket's per-layer
// density from its rewind weights, each archived as a stage of its own series; the ticket itself goes on from
// where its level ended; a stopped run resumes bit-identically in any stage.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "integration/engine_runs.hpp"

namespace structlab {
namespace {

using namespace engine_runs;

std::string controls_spec(const std::string& controls = "[reinit, random_masks]", const std::string& rewind = "init") {
  return ffn_spec(kAdam, "pruning:\n"
                         "  plugin: magnitude_global\n"
                         "  controls: " + controls + "\n"
                         "  selection: {rule: fraction, amount: 0.5}\n"
                         "  schedule: {kind: iterative, levels: 2, rewind: " + rewind + ", retrain_epochs: 1}\n");
}

std::vector<std::int64_t> active_per_layer(const archive::StageRecord& stage) {
  std::vector<std::int64_t> counts;
  for (const auto& layer : stage.layers) counts.push_back(layer.mask.sum().item<std::int64_t>());
  return counts;
}

TEST(LotteryControls, EachLevelTrainsTheTicketThenItsControlsAsStagesOfTheirOwnSeries) {
  Runs runs("controls", controls_spec());
  const auto outcome = runs.execute(runs.archive);
  ASSERT_EQ(outcome.status, "completed") << outcome.message;
  const archive::ArchiveSummary summary = archive::read_archive(runs.archive);
  ASSERT_EQ(summary.stages.size(), 7u) << "training, then 2 levels of ticket, reinit, random_masks";
  const std::vector<std::string> series{"", "ticket", "reinit", "random_masks", "ticket", "reinit", "random_masks"};
  for (std::size_t s = 0; s < series.size(); ++s) EXPECT_EQ(summary.stages[s].series, series[s]) << "stage " << s;
  EXPECT_NE(summary.stages[2].description.find("control reinit"), std::string::npos) << summary.stages[2].description;

  for (std::size_t ticket : {1u, 4u}) {
    const archive::StageRecord& t = summary.stages[ticket];
    const archive::StageRecord& reinit = summary.stages[ticket + 1];
    const archive::StageRecord& random = summary.stages[ticket + 2];
    bool some_random_mask_differs = false;
    for (std::size_t l = 0; l < t.layers.size(); ++l) {
      EXPECT_TRUE(torch::equal(reinit.layers[l].mask, t.layers[l].mask)) << "reinit keeps the ticket's masks";
      some_random_mask_differs |= !torch::equal(random.layers[l].mask, t.layers[l].mask);
      // masked weights stay zero in every series
      for (const auto* stage : {&t, &reinit, &random}) {
        const auto& layer = stage->layers[l];
        EXPECT_EQ(layer.weight.masked_select(layer.mask.logical_not()).abs().sum().item<double>(), 0.0);
      }
    }
    EXPECT_EQ(active_per_layer(random), active_per_layer(t)) << "random masks keep each layer's active count";
    EXPECT_TRUE(some_random_mask_differs);
    // the reinit control trains from other initial weights than the ticket, so it ends elsewhere
    EXPECT_FALSE(torch::equal(reinit.layers[0].weight, t.layers[0].weight));
  }
  // the ticket's level 2 prunes its own level-1 masks, not a control's
  for (std::size_t l = 0; l < summary.stages[1].layers.size(); ++l) {
    const torch::Tensor level_1 = summary.stages[1].layers[l].mask;
    const torch::Tensor level_2 = summary.stages[4].layers[l].mask;
    EXPECT_FALSE(level_2.logical_and(level_1.logical_not()).any().item<bool>()) << "layer " << l;
  }
  const auto total_active = [&](std::size_t stage) {
    std::int64_t sum = 0;
    for (auto count : active_per_layer(summary.stages[stage])) sum += count;
    return sum;
  };
  EXPECT_LT(total_active(4), total_active(1));
}

TEST(LotteryControls, AStoppedRunResumesBitIdenticallyInATicketOrAControlStage) {
  expect_resume_identical("controls-resume", controls_spec(),
                          {StopAt(StopPoint::after_step, 2, 0, 3), StopAt(StopPoint::stage_begin, 4),
                           StopAt(StopPoint::after_step, 6, 0, 5)});
}

TEST(LotteryControls, WithoutRewindTheRandomMasksStartFromTheTicketsTrainedWeights) {
  Runs runs("controls-none", controls_spec("[random_masks]", "none"));
  const auto outcome = runs.execute(runs.archive);
  ASSERT_EQ(outcome.status, "completed") << outcome.message;
  const archive::ArchiveSummary summary = archive::read_archive(runs.archive);
  ASSERT_EQ(summary.stages.size(), 5u);
  EXPECT_EQ(summary.stages[2].series, "random_masks");
  EXPECT_EQ(active_per_layer(summary.stages[2]), active_per_layer(summary.stages[1]));
}

TEST(LotteryControls, BadControlsAreRefusedNamingTheKey) {
  const auto problems_of = [](const std::string& text) {
    const std::string dir = make_temp_dir("controls-bad");
    std::ofstream(dir + "/spec.yaml") << text;
    std::string all;
    for (const auto& problem : spec::validate_experiment(dir + "/spec.yaml", {}, {})) all += problem + "\n";
    return all;
  };
  EXPECT_NE(problems_of(controls_spec("[reinit, shuffled]")).find("pruning.controls: unknown control 'shuffled'"),
            std::string::npos);
  EXPECT_NE(problems_of(controls_spec("[reinit, reinit]")).find("'reinit' is listed twice"), std::string::npos);
  const std::string one_shot = ffn_spec(kAdam, "pruning:\n  plugin: magnitude_global\n  controls: [reinit]\n"
                                               "  schedule: {kind: one_shot, finetune_epochs: 1}\n");
  EXPECT_NE(problems_of(one_shot).find("controls go with an iterative schedule"), std::string::npos)
      << problems_of(one_shot);
}

TEST(NmSelection, IsRefusedBeforeAnyRunWhereItCannotApply) {
  const auto problems_of = [](const std::string& pruning) {
    const std::string dir = make_temp_dir("n-m-bad");
    std::ofstream(dir + "/spec.yaml") << ffn_spec(kAdam, pruning);
    std::string all;
    for (const auto& problem : spec::validate_experiment(dir + "/spec.yaml", {}, {})) all += problem + "\n";
    return all;
  };
  const std::string by_units = problems_of("pruning:\n  plugin: neuron\n  selection: {rule: n_m}\n");
  EXPECT_NE(by_units.find("pruning.selection.rule: n_m keeps the best N of every M weights, but pruner 'neuron'"),
            std::string::npos)
      << by_units;
  const std::string gradual =
      problems_of("pruning:\n  plugin: magnitude_global\n  selection: {rule: n_m}\n  schedule: {kind: gradual}\n");
  EXPECT_NE(gradual.find("n_m goes with one_shot or iterative schedules"), std::string::npos) << gradual;
  const std::string bad_pattern =
      problems_of("pruning:\n  plugin: magnitude_global\n  selection: {rule: n_m, pattern: \"4:2\"}\n");
  EXPECT_NE(bad_pattern.find("pruning.selection.pattern"), std::string::npos) << bad_pattern;
  EXPECT_EQ(problems_of("pruning:\n  plugin: magnitude_global\n  selection: {rule: n_m, pattern: \"2:4\"}\n"), "");
}

TEST(SelectionGranularity, IsRefusedBeforeAnyRunWhereItCannotApply) {
  const auto problems_of = [](const std::string& pruning) {
    const std::string dir = make_temp_dir("granularity-bad");
    std::ofstream(dir + "/spec.yaml") << ffn_spec(kAdam, pruning);
    std::string all;
    for (const auto& problem : spec::validate_experiment(dir + "/spec.yaml", {}, {})) all += problem + "\n";
    return all;
  };
  const std::string by_units =
      problems_of("pruning:\n  plugin: neuron\n  selection: {granularity: channel}\n");
  EXPECT_NE(by_units.find("pruning.selection.granularity: pruner 'neuron' scores whole units itself"),
            std::string::npos)
      << by_units;
  const std::string gradual = problems_of(
      "pruning:\n  plugin: magnitude_global\n  selection: {granularity: kernel}\n  schedule: {kind: "
      "gradual}\n");
  EXPECT_NE(gradual.find("kernel and channel granularity go with one_shot or iterative schedules"),
            std::string::npos)
      << gradual;
  const std::string n_m =
      problems_of("pruning:\n  plugin: magnitude_global\n  selection: {rule: n_m, granularity: kernel}\n");
  EXPECT_NE(n_m.find("so it needs granularity weight"), std::string::npos) << n_m;
  EXPECT_EQ(problems_of("pruning:\n  plugin: magnitude_global\n  selection: {granularity: channel}\n"), "");
}

TEST(NmSelection, AOneShotRunKeepsAtMostTwoOfEveryFourWeights) {
  Runs runs("n-m-run", ffn_spec(kAdam, "pruning:\n  plugin: magnitude_global\n  selection: {rule: n_m, pattern: \"2:4\"}\n"
                                       "  schedule: {kind: one_shot, finetune_epochs: 1}\n"));
  const auto outcome = runs.execute(runs.archive);
  ASSERT_EQ(outcome.status, "completed") << outcome.message;
  const archive::ArchiveSummary summary = archive::read_archive(runs.archive);
  ASSERT_EQ(summary.stages.size(), 2u);
  const auto& layers = summary.stages[1].layers;
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) {  // the output layer is excluded by default
    const torch::Tensor mask = layers[l].mask;
    const std::int64_t columns = mask.size(1);
    for (std::int64_t start = 0; start < columns; start += 4) {
      const std::int64_t width = std::min<std::int64_t>(4, columns - start);
      EXPECT_LE(mask.slice(1, start, start + width).sum(1).max().item<std::int64_t>(), 2) << layers[l].name;
    }
    EXPECT_EQ(layers[l].weight.masked_select(mask.logical_not()).abs().sum().item<double>(), 0.0);
  }
}

}  // namespace
}  // namespace structlab
