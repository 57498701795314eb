// plan_experiment on valid specs: defaults, typed values, seeds, grid expansion, overrides, plugin paths.

#include <gtest/gtest.h>

#include <set>

#include "spec_files.hpp"
#include "structlab/spec/loader.hpp"

namespace structlab::spec {
namespace {

using namespace testing;

TEST(PlanExperiment, MinimalSpecIsOneRunWithEveryDefaultFilled) {
  ExperimentPlan plan = plan_text(kMinimalSpec);
  EXPECT_EQ(plan.experiment, "toy");
  ASSERT_EQ(plan.runs.size(), 1u);
  const RunSpec& run = plan.runs[0];
  EXPECT_EQ(run.experiment, "toy");
  EXPECT_EQ(run.seed, 1u);
  EXPECT_EQ(run.index, 0);
  EXPECT_EQ(run.source_file, plan.source_file);
  EXPECT_EQ(run.dataset.plugin, "fixture_dataset");
  EXPECT_EQ(run.dataset.params.get_int("samples"), 100);  // the plugin's default
  ASSERT_TRUE(run.structure.has_value());
  EXPECT_EQ(run.structure->plugin, "fixture_path");
  EXPECT_EQ(run.structure->params.get_int("n"), 5);
  EXPECT_EQ(run.structure->params.get_string("label"), "path");
  EXPECT_FALSE(run.structure->params.has("plugin"));  // spec keys are not plugin parameters
  EXPECT_FALSE(run.structure->params.has("orient"));
  EXPECT_EQ(run.orient, "index");
  EXPECT_EQ(run.model.params.get_int_list("hidden"), (std::vector<std::int64_t>{8}));
  const TrainingSpec defaults;
  EXPECT_EQ(run.training.optimizer, defaults.optimizer);
  EXPECT_DOUBLE_EQ(run.training.lr, defaults.lr);
  EXPECT_EQ(run.training.batch_size, defaults.batch_size);
  EXPECT_EQ(run.training.lr_schedule.kind, "none");
  EXPECT_FALSE(run.pruning.has_value());
  EXPECT_EQ(run.archive_metrics, graph::MetricsMode::sampled);
  EXPECT_TRUE(run.grid_point.empty());
}

TEST(PlanExperiment, ReadsEveryTypedKey) {
  ExperimentPlan plan =
      plan_text(std::string(kMinimalSpec) +
                "training:\n"
                "  optimizer: adam\n"
                "  lr: 1\n"  // an integer where a real is expected is fine
                "  momentum: 0.5\n"
                "  weight_decay: 1e-4\n"
                "  beta1: 0.8\n"
                "  beta2: 0.99\n"
                "  batch_size: 32\n"
                "  epochs: 7\n"
                "  loss: mse\n"
                "  threads: 2\n"
                "  device: cpu\n"
                "  lr_schedule: {kind: step, step_size: 3, gamma: 0.5}\n"
                "pruning:\n"
                "  plugin: fixture_pruner\n"
                "  batches: 4\n"
                "  selection: {rule: count, amount: 10, exclude_layers: fc1, exclude_output: false}\n"
                "  schedule: {kind: iterative, levels: 5, retrain_epochs: 2, rewind: epoch,\n"
                "             rewind_epoch: 1}\n"
                "archive: {metrics: none}\n");
  const RunSpec& run = plan.runs.at(0);
  EXPECT_EQ(run.training.optimizer, "adam");
  EXPECT_DOUBLE_EQ(run.training.lr, 1.0);
  EXPECT_DOUBLE_EQ(run.training.momentum, 0.5);
  EXPECT_DOUBLE_EQ(run.training.weight_decay, 1e-4);
  EXPECT_DOUBLE_EQ(run.training.beta1, 0.8);
  EXPECT_DOUBLE_EQ(run.training.beta2, 0.99);
  EXPECT_EQ(run.training.batch_size, 32);
  EXPECT_EQ(run.training.epochs, 7);
  EXPECT_EQ(run.training.loss, "mse");
  EXPECT_EQ(run.training.threads, 2);
  EXPECT_EQ(run.training.device, "cpu");
  EXPECT_EQ(run.training.lr_schedule.kind, "step");
  EXPECT_EQ(run.training.lr_schedule.step_size, 3);
  EXPECT_DOUBLE_EQ(run.training.lr_schedule.gamma, 0.5);
  ASSERT_TRUE(run.pruning.has_value());
  EXPECT_EQ(run.pruning->strategy.plugin, "fixture_pruner");
  EXPECT_EQ(run.pruning->strategy.params.get_int("batches"), 4);
  EXPECT_FALSE(run.pruning->strategy.params.has("selection"));
  EXPECT_EQ(run.pruning->selection.rule, prune::SelectionRule::count);
  EXPECT_DOUBLE_EQ(run.pruning->selection.amount, 10.0);
  EXPECT_EQ(run.pruning->selection.exclude_layers, (std::vector<std::string>{"fc1"}));
  EXPECT_FALSE(run.pruning->selection.exclude_output);
  EXPECT_EQ(run.pruning->schedule.kind, "iterative");
  EXPECT_EQ(run.pruning->schedule.levels, 5);
  EXPECT_EQ(run.pruning->schedule.retrain_epochs, 2);
  EXPECT_EQ(run.pruning->schedule.rewind, "epoch");
  EXPECT_EQ(run.pruning->schedule.rewind_epoch, 1);
  EXPECT_EQ(run.archive_metrics, graph::MetricsMode::none);
}

TEST(PlanExperiment, StructureIsOptional) {
  ExperimentPlan plan =
      plan_text("experiment: flat\ndataset: {plugin: fixture_dataset}\nmodel: {plugin: fixture_model}\n");
  ASSERT_EQ(plan.runs.size(), 1u);
  EXPECT_FALSE(plan.runs[0].structure.has_value());
}

TEST(PlanExperiment, SeedsMakeOneRunEachInTheOrderWritten) {
  ExperimentPlan plan = plan_text(std::string(kMinimalSpec) + "seeds: [3, 1, 2]\n");
  ASSERT_EQ(plan.runs.size(), 3u);
  EXPECT_EQ(plan.runs[0].seed, 3u);
  EXPECT_EQ(plan.runs[1].seed, 1u);
  EXPECT_EQ(plan.runs[2].seed, 2u);
  EXPECT_NE(plan.runs[0].run_id, plan.runs[1].run_id);
}

TEST(PlanExperiment, ASingleSeedMayBeWrittenWithoutAList) {
  ExperimentPlan plan = plan_text(std::string(kMinimalSpec) + "seeds: 7\n");
  ASSERT_EQ(plan.runs.size(), 1u);
  EXPECT_EQ(plan.runs[0].seed, 7u);
}

TEST(PlanExperiment, GridIsTheCartesianProductInOrderWrittenTimesSeeds) {
  ExperimentPlan plan = plan_text(std::string(kMinimalSpec) +
                                  "seeds: [1, 2]\n"
                                  "grid:\n"
                                  "  structure.n: [5, 6, 7]\n"
                                  "  model.activation: [relu, tanh]\n");
  ASSERT_EQ(plan.runs.size(), 12u);
  std::size_t i = 0;
  for (std::int64_t n : {5, 6, 7}) {
    for (const char* activation : {"relu", "tanh"}) {
      for (std::uint64_t seed : {1u, 2u}) {
        const RunSpec& run = plan.runs.at(i);
        EXPECT_EQ(run.index, static_cast<std::int64_t>(i));
        EXPECT_EQ(run.structure->params.get_int("n"), n) << "run " << i;
        EXPECT_EQ(run.model.params.get_string("activation"), activation) << "run " << i;
        EXPECT_EQ(run.seed, seed) << "run " << i;
        ASSERT_EQ(run.grid_point.size(), 2u);
        EXPECT_EQ(run.grid_point[0], std::make_pair(std::string("structure.n"), std::to_string(n)));
        EXPECT_EQ(run.grid_point[1],
                  std::make_pair(std::string("model.activation"), std::string(activation)));
        ++i;
      }
    }
  }
  std::set<std::string> ids;
  for (const auto& run : plan.runs) ids.insert(run.run_id);
  EXPECT_EQ(ids.size(), 12u);
}

TEST(PlanExperiment, GridMayVaryListValuedParametersAndFixedKeys) {
  ExperimentPlan plan = plan_text(std::string(kMinimalSpec) +
                                  "grid:\n"
                                  "  model.hidden: [[4, 4], [16]]\n"
                                  "  training.lr: [0.1, 0.01]\n");
  ASSERT_EQ(plan.runs.size(), 4u);
  EXPECT_EQ(plan.runs[0].model.params.get_int_list("hidden"), (std::vector<std::int64_t>{4, 4}));
  EXPECT_DOUBLE_EQ(plan.runs[1].training.lr, 0.01);
  EXPECT_EQ(plan.runs[2].model.params.get_int_list("hidden"), (std::vector<std::int64_t>{16}));
}

TEST(PlanExperiment, OverridesSetWrittenAndUnwrittenKeysAndCreateSections) {
  ExperimentPlan plan =
      plan_text(kMinimalSpec, {"training.lr=0.2", "structure.label=ring", "seeds=[4, 5]",
                               "pruning.plugin=fixture_pruner", "pruning.schedule.kind=gradual"});
  ASSERT_EQ(plan.runs.size(), 2u);
  const RunSpec& run = plan.runs[0];
  EXPECT_DOUBLE_EQ(run.training.lr, 0.2);
  EXPECT_EQ(run.structure->params.get_string("label"), "ring");
  EXPECT_EQ(run.seed, 4u);
  ASSERT_TRUE(run.pruning.has_value());
  EXPECT_EQ(run.pruning->strategy.plugin, "fixture_pruner");
  EXPECT_EQ(run.pruning->schedule.kind, "gradual");
}

TEST(PlanExperiment, OverridingAGridKeyPinsIt) {
  ExperimentPlan plan =
      plan_text(std::string(kMinimalSpec) + "grid: {structure.n: [5, 6], training.epochs: [1, 2]}\n",
                {"structure.n=9"});
  ASSERT_EQ(plan.runs.size(), 2u);
  for (const auto& run : plan.runs) {
    EXPECT_EQ(run.structure->params.get_int("n"), 9);
    ASSERT_EQ(run.grid_point.size(), 1u);
    EXPECT_EQ(run.grid_point[0].first, "training.epochs");
  }
}

TEST(PlanExperiment, GridAxesCanBeSetFromTheCommandLine) {
  ExperimentPlan plan = plan_text(std::string(kMinimalSpec) + "grid: {structure.n: [5, 6]}\n",
                                  {"grid.structure.n=[7, 8, 9]", "grid.training.lr=[0.1, 0.2]"});
  ASSERT_EQ(plan.runs.size(), 6u);
  EXPECT_EQ(plan.runs[0].structure->params.get_int("n"), 7);
  EXPECT_EQ(plan.runs[5].structure->params.get_int("n"), 9);
  EXPECT_DOUBLE_EQ(plan.runs[5].training.lr, 0.2);
}

TEST(PlanExperiment, PluginPathsAreRelativeToTheSpecFile) {
  fs::path spec = write_spec(std::string(kMinimalSpec) + "plugin_paths: [my_plugins]\n");
  fs::path plugin_dir = spec.parent_path() / "my_plugins";
  fs::create_directories(plugin_dir);
  fs::copy_file(fixture_plugins()[1], plugin_dir / "libfixture_spec_plugins.so");
  // only the generator comes from the caller; dataset and model are found through the spec's plugin_paths
  ExperimentPlan plan = plan_experiment(spec, {}, {fixture_plugins()[0]});
  ASSERT_EQ(plan.runs.size(), 1u);
  ASSERT_EQ(plan.runs[0].plugin_paths.size(), 1u);
  EXPECT_EQ(fs::path(plan.runs[0].plugin_paths[0]), plugin_dir);
  EXPECT_TRUE(fs::path(plan.runs[0].plugin_paths[0]).is_absolute());
  ASSERT_EQ(plan.plugin_paths.size(), 2u);
  EXPECT_EQ(plan.plugin_paths[0], plugin_dir);
  EXPECT_EQ(plan.plugin_paths[1], fixture_plugins()[0]);
}

}  // namespace
}  // namespace structlab::spec
