// Every kind of mistake in a spec is a ConfigError naming file:line:column, the key path and what was
// expected. Line numbers below count from kMinimalSpec's four lines.

#include <gtest/gtest.h>

#include <ostream>

#include "spec_files.hpp"

namespace structlab::spec {
namespace {

using namespace testing;

#define EXPECT_CONTAINS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

std::string with(const std::string& extra) { return std::string(kMinimalSpec) + extra; }

TEST(SpecErrors, YamlSyntaxErrorNamesLineAndColumn) {
  std::string message = config_error_of("experiment: toy\ndataset: {plugin: fixture_dataset\nmodel: x\n");
  EXPECT_CONTAINS(message, "SPEC:3:");
  EXPECT_CONTAINS(message, "YAML syntax error");
}

TEST(SpecErrors, MissingFileIsNamed) {
  try {
    plan_experiment("/nonexistent/spec.yaml", {}, fixture_plugins());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/spec.yaml: spec file not found");
  }
}

TEST(SpecErrors, EmptyAndNonMappingDocuments) {
  EXPECT_CONTAINS(config_error_of(""), "SPEC: the spec is empty");
  EXPECT_CONTAINS(config_error_of("- a\n- b\n"), "SPEC:1:1: expected a mapping of spec keys");
}

TEST(SpecErrors, UnknownTopLevelKeyListsTheAllowedOnes) {
  EXPECT_EQ(config_error_of(with("trainig: {lr: 0.1}\n")),
            "SPEC:5:1: trainig: unknown key 'trainig' in the top level; allowed keys: experiment, seeds, "
            "plugin_paths, dataset, structure, model, training, pruning, archive, grid");
}

TEST(SpecErrors, UnknownSectionKeyListsTheAllowedOnes) {
  std::string message = config_error_of(with("training:\n  lr: 0.1\n  momentun: 0.5\n"));
  EXPECT_CONTAINS(message,
                  "SPEC:7:3: training.momentun: unknown key 'momentun' in 'training'; allowed keys: "
                  "optimizer, lr, momentum,");
  EXPECT_EQ(
      config_error_of(with("pruning: {plugin: fixture_pruner, schedule: {kind: gradual, levls: 2}}\n")),
      "SPEC:5:61: pruning.schedule.levls: unknown key 'levls' in 'pruning.schedule'; allowed keys: kind, "
      "finetune_epochs, levels, retrain_epochs, rewind, rewind_epoch, initial_sparsity, final_sparsity, "
      "start_epoch, end_epoch, frequency, density, distribution, update_every, drop_fraction, end_fraction, "
            "snapshot_every");
}

TEST(SpecErrors, DuplicateKeyIsAnError) {
  EXPECT_EQ(config_error_of(with("training:\n  lr: 0.1\n  lr: 0.2\n")),
            "SPEC:7:3: training.lr: duplicate key; each key may appear once in a section");
}

TEST(SpecErrors, WrongTypeNamesExpectedAndGiven) {
  std::string message = config_error_of(with("training:\n  epochs: three\n"));
  EXPECT_CONTAINS(message, "SPEC:6:3: training.epochs: expected a integer, got the string three");
  EXPECT_CONTAINS(config_error_of(with("training:\n  nesterov: 1\n")),
                  "SPEC:6:3: training.nesterov: expected a boolean");
  EXPECT_CONTAINS(config_error_of(with("training: 5\n")),
                  "SPEC:5:1: training: expected a section (a mapping of keys), got the value 5");
  EXPECT_CONTAINS(config_error_of(with("training:\n  lr: {a: 1}\n")),
                  "SPEC:6:7: training.lr: expected a value or a list, got a mapping");
}

struct RangeCase {
  std::string yaml;      // appended to the minimal spec
  std::string expected;  // the whole message
};

// Shown in test names (ctest lists them): the key path the message names and the value it rejects, e.g.
// "training.lr=-0.1", spaces made underscores.
void PrintTo(const RangeCase& range_case, std::ostream* out) {
  const std::string& message = range_case.expected;
  const auto key_start = message.find(": ") + 2;
  const auto got = message.rfind("got ");
  std::string name = message.substr(key_start, message.find(':', key_start) - key_start);
  if (got != std::string::npos) name += "=" + message.substr(got + 4);
  for (char& c : name) {
    if (c == ' ') c = '_';
  }
  *out << name;
}

class SpecRange : public ::testing::TestWithParam<RangeCase> {};

TEST_P(SpecRange, OutOfRangeValueNamesKeyAndExpectation) {
  EXPECT_EQ(config_error_of(with(GetParam().yaml)), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    EveryCheckedKey, SpecRange,
    ::testing::Values(
        RangeCase{"training: {lr: -0.1}\n", "SPEC:5:12: training.lr: expected a real > 0, got -0.1"},
        RangeCase{"training: {lr: 0}\n", "SPEC:5:12: training.lr: expected a real > 0, got 0.0"},
        RangeCase{"training: {batch_size: 0}\n",
                  "SPEC:5:12: training.batch_size: expected an integer >= 1, got 0"},
        RangeCase{"training: {epochs: -1}\n", "SPEC:5:12: training.epochs: expected an integer >= 0, got -1"},
        RangeCase{"training: {momentum: 1.5}\n",
                  "SPEC:5:12: training.momentum: expected a real in [0, 1), got 1.5"},
        RangeCase{"training: {weight_decay: -1}\n",
                  "SPEC:5:12: training.weight_decay: expected a finite real >= 0, got -1.0"},
        RangeCase{"training: {optimizer: rmsprop}\n",
                  "SPEC:5:12: training.optimizer: expected one of: sgd, adam, got rmsprop"},
        RangeCase{"training: {loss: hinge}\n",
                  "SPEC:5:12: training.loss: expected one of: auto, cross_entropy, mse, got hinge"},
        RangeCase{"training: {threads: -2}\n",
                  "SPEC:5:12: training.threads: expected an integer >= 0, got -2"},
        RangeCase{"training: {device: gpu}\n",
                  "SPEC:5:12: training.device: expected cpu, cuda or cuda:N, got gpu"},
        RangeCase{"training: {sparse_kernels: fast}\n",
                  "SPEC:5:12: training.sparse_kernels: expected one of: auto, on, off, got fast"},
        RangeCase{"training: {eval_sparse_kernels: yes}\n",
                  "SPEC:5:12: training.eval_sparse_kernels: expected one of: auto, on, off, got yes"},
        RangeCase{"archive: {metrics: exact}\n",
                  "SPEC:5:11: archive.metrics: expected one of: full, sampled, none, got exact"},
        RangeCase{"training: {nesterov: true, momentum: 0}\n",
                  "SPEC:5:12: training.nesterov: nesterov needs momentum > 0 (training.momentum), got true"},
        RangeCase{
            "training: {lr_schedule: {kind: exponential}}\n",
            "SPEC:5:26: training.lr_schedule.kind: expected one of: none, step, cosine, got exponential"},
        RangeCase{"training: {lr_schedule: {kind: step, step_size: 0}}\n",
                  "SPEC:5:38: training.lr_schedule.step_size: expected an integer >= 1, got 0"},
        RangeCase{"training: {lr_schedule: {kind: cosine, min_lr: 0.5}}\n",
                  "SPEC:5:40: training.lr_schedule.min_lr: expected at most training.lr (the schedule decays "
                  "towards it), got 0.5"},
        RangeCase{"pruning: {plugin: fixture_pruner, selection: {amount: 1.5}}\n",
                  "SPEC:5:47: pruning.selection.amount: expected a fraction in [0, 1], got 1.5"},
        RangeCase{"pruning: {plugin: fixture_pruner, selection: {rule: density, amount: -0.1}}\n",
                  "SPEC:5:62: pruning.selection.amount: expected a fraction in [0, 1], got -0.1"},
        RangeCase{
            "pruning: {plugin: fixture_pruner, selection: {rule: count, amount: 2.5}}\n",
            "SPEC:5:60: pruning.selection.amount: expected a whole number of weights >= 0 for rule count, "
            "got 2.5"},
        RangeCase{
            "pruning: {plugin: fixture_pruner, selection: {granularity: filter}}\n",
            "SPEC:5:47: pruning.selection.granularity: expected one of: weight, kernel, channel, got filter"},
        RangeCase{
            "pruning: {plugin: fixture_pruner, selection: {rule: top}}\n",
            "SPEC:5:47: pruning.selection.rule: expected one of: fraction, count, density, n_m, got top"},
        RangeCase{"pruning: {plugin: fixture_pruner, schedule: {kind: lottery}}\n",
                  "SPEC:5:46: pruning.schedule.kind: expected one of: one_shot, iterative, gradual, dynamic, "
                  "at_init, got lottery"},
        RangeCase{"pruning: {plugin: fixture_pruner, schedule: {density: 0}}\n",
                  "SPEC:5:46: pruning.schedule.density: expected a density in (0, 1], got 0.0"},
        RangeCase{"pruning: {plugin: fixture_pruner, schedule: {distribution: gaussian}}\n",
                  "SPEC:5:46: pruning.schedule.distribution: expected one of: uniform, erdos_renyi, erk, "
                  "structure, "
                  "got gaussian"},
        RangeCase{"pruning: {plugin: fixture_pruner, schedule: {update_every: 0}}\n",
                  "SPEC:5:46: pruning.schedule.update_every: expected an integer >= 1, got 0"},
        RangeCase{"pruning: {plugin: fixture_pruner, schedule: {drop_fraction: 1.5}}\n",
                  "SPEC:5:46: pruning.schedule.drop_fraction: expected a fraction in [0, 1], got 1.5"},
        RangeCase{"pruning: {plugin: fixture_pruner, schedule: {end_fraction: 0}}\n",
                  "SPEC:5:46: pruning.schedule.end_fraction: expected a fraction in (0, 1], got 0.0"},
        RangeCase{"pruning: {plugin: fixture_pruner, schedule: {snapshot_every: -1}}\n",
                  "SPEC:5:46: pruning.schedule.snapshot_every: expected an integer >= 0, got -1"},
        RangeCase{"pruning: {plugin: fixture_pruner, schedule: {levels: 0}}\n",
                  "SPEC:5:46: pruning.schedule.levels: expected an integer >= 1, got 0"},
        RangeCase{"pruning: {plugin: fixture_pruner, schedule: {rewind: late}}\n",
                  "SPEC:5:46: pruning.schedule.rewind: expected one of: none, init, epoch, got late"},
        RangeCase{
            "pruning: {plugin: fixture_pruner, schedule: {rewind: epoch, rewind_epoch: 4}}\n",
            "SPEC:5:61: pruning.schedule.rewind_epoch: expected an epoch of the first training (at most "
            "training.epochs = 3), got 4"},
        RangeCase{"pruning: {plugin: fixture_pruner, schedule: {final_sparsity: 1.2}}\n",
                  "SPEC:5:46: pruning.schedule.final_sparsity: expected a fraction in [0, 1], got 1.2"},
        RangeCase{
            "pruning: {plugin: fixture_pruner, schedule: {initial_sparsity: 0.5, final_sparsity: 0.2}}\n",
            "SPEC:5:69: pruning.schedule.final_sparsity: expected at least "
            "pruning.schedule.initial_sparsity, "
            "got 0.2"},
        RangeCase{
            "pruning: {plugin: fixture_pruner, schedule: {start_epoch: 2, end_epoch: 2}}\n",
            "SPEC:5:62: pruning.schedule.end_epoch: expected more than pruning.schedule.start_epoch, got 2"},
        RangeCase{"pruning: {plugin: fixture_pruner, schedule: {frequency: 0}}\n",
                  "SPEC:5:46: pruning.schedule.frequency: expected an integer >= 1, got 0"}));

TEST(SpecErrors, OrientMustBeIndexOrRandom) {
  EXPECT_EQ(
      config_error_of(
          "experiment: toy\ndataset: {plugin: fixture_dataset}\n"
          "structure: {plugin: fixture_path, n: 5, orient: sideways}\nmodel: {plugin: fixture_model}\n"),
      "SPEC:3:41: structure.orient: expected one of: index, random, got sideways");
}

TEST(SpecErrors, ExperimentNameAndSeedsAreChecked) {
  EXPECT_EQ(
      config_error_of(
          "experiment: my run\ndataset: {plugin: fixture_dataset}\nmodel: {plugin: fixture_model}\n"),
      "SPEC:1:1: experiment: expected a name of 1 to 200 letters, digits, '_', '.' and '-', other than '.' and "
      "'..' (it names a folder and files), got \"my run\"");
  EXPECT_EQ(config_error_of(with("seeds: [1, -2]\n")),
            "SPEC:5:1: seeds: expected non-negative integers, got -2");
  EXPECT_EQ(config_error_of(with("seeds: [1, 1]\n")),
            "SPEC:5:1: seeds: seed 1 is listed twice (it would repeat a run)");
  EXPECT_EQ(config_error_of(with("seeds: []\n")), "SPEC:5:1: seeds: expected at least one seed, e.g. [1]");
  EXPECT_CONTAINS(config_error_of(with("seeds: [a]\n")), "SPEC:5:1: seeds: expected a list of integers");
}

TEST(SpecErrors, MissingRequiredSectionsAndKeys) {
  EXPECT_EQ(config_error_of("experiment: toy\ndataset: {plugin: fixture_dataset}\n"),
            "SPEC:1:1: model: required section is missing, e.g. model: {plugin: NAME, ...}");
  EXPECT_EQ(config_error_of("dataset: {plugin: fixture_dataset}\nmodel: {plugin: fixture_model}\n"),
            "SPEC:1:1: experiment: required key is missing (a string: experiment name, [A-Za-z0-9_.-]+)");
  EXPECT_EQ(config_error_of("experiment: toy\ndataset: {samples: 3}\nmodel: {plugin: fixture_model}\n"),
            "SPEC:2:10: dataset.plugin: required key is missing (a string: dataset plugin name)");
}

TEST(SpecErrors, MissingPluginPathIsNamed) {
  std::string message = config_error_of(with("plugin_paths: [no_such_dir]\n"));
  EXPECT_CONTAINS(message, "SPEC:5:1: plugin_paths: ");
  EXPECT_CONTAINS(message, "/no_such_dir does not exist (paths are relative to the spec file)");
}

TEST(SpecErrors, UnknownPluginNamesSpecLocationKeyAndAvailablePlugins) {
  std::string message = config_error_of(
      "experiment: toy\ndataset: {plugin: fixture_dataset}\nstructure: {plugin: nope, n: 5}\nmodel: {plugin: "
      "fixture_model}\n");
  EXPECT_CONTAINS(message, "SPEC:3:13: structure.plugin: no generator plugin named 'nope'; available: ");
  EXPECT_CONTAINS(message, "fixture_path");
  EXPECT_CONTAINS(config_error_of(with("pruning: {plugin: magnitude_globl}\n")),
                  "SPEC:5:11: pruning.plugin: no pruner plugin named 'magnitude_globl'; available: ");
}

TEST(SpecErrors, PluginBuiltForAnotherApiIsAConfigErrorAtThePluginKey) {
  fs::path file = write_spec(
      "experiment: toy\ndataset: {plugin: fixture_dataset}\nstructure: {plugin: fixture_future_api}\n"
      "model: {plugin: fixture_model}\n");
  auto plugins = fixture_plugins();
  plugins.push_back(fs::path(STRUCTLAB_TEST_FIXTURE_DIR) / "libfixture_wrong_api.so");
  try {
    plan_experiment(file, {}, plugins);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    std::string message = e.what();
    EXPECT_CONTAINS(message, file.string() + ":3:13: structure.plugin: ");
    EXPECT_CONTAINS(message, "plugin API version 999");
  }
}

TEST(SpecErrors, PluginParametersAreValidatedByThePlugin) {
  EXPECT_EQ(config_error_of(with("").replace(with("").find("n: 5"), 4, "n: 5, k: 4")),
            "SPEC:3:41: structure.k: generator plugin 'fixture_path': unknown parameter; expected one of: n, "
            "label");
  EXPECT_EQ(
      config_error_of(with("").replace(with("").find("n: 5"), 4, "n: five")),
      "SPEC:3:35: structure.n: generator plugin 'fixture_path': expected a integer, got the string five");
  EXPECT_EQ(
      config_error_of(with("").replace(with("").find(", n: 5"), 6, "")),
      "structure.n: generator plugin 'fixture_path': required parameter is missing (a integer: number of "
      "vertices)");
  EXPECT_EQ(config_error_of(
                with("").replace(with("").find("fixture_model}"), 14, "fixture_model, hidden: {a: 1}}")),
            "SPEC:4:40: model.hidden: expected a value or a list, got a mapping");
}

TEST(SpecErrors, PluginsOwnRangeChecksRunAtValidation) {
  EXPECT_EQ(config_error_of(with("").replace(with("").find("n: 5"), 4, "n: 0")),
            "SPEC:3:35: structure.n: generator plugin 'fixture_path': must be at least 1");
  EXPECT_EQ(config_error_of(with("pruning: {plugin: fixture_pruner, batches: 0}\n")),
            "SPEC:5:35: pruning.batches: pruner plugin 'fixture_pruner': must be at least 1");
  EXPECT_EQ(config_error_of(
                with("").replace(with("").find("fixture_model}"), 14, "fixture_model, activation: selu}")),
            "SPEC:4:32: model.activation: model plugin 'fixture_model': expected relu or tanh");
}

TEST(SpecErrors, APluginThrowingAnythingElseIsAConfigErrorNamingTheSection) {
  fs::path file = write_spec(
      "experiment: toy\ndataset: {plugin: fixture_dataset}\nstructure: {plugin: fixture_throwing}\n"
      "model: {plugin: fixture_model}\n");
  auto plugins = fixture_plugins();
  plugins.push_back(fs::path(STRUCTLAB_TEST_FIXTURE_DIR) / "libfixture_throwing.so");
  try {
    plan_experiment(file, {}, plugins);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    std::string message = e.what();
    EXPECT_CONTAINS(message, file.string() + ":3:12: structure: generator plugin 'fixture_throwing'");
    EXPECT_CONTAINS(message, "the fixture's constructor refuses to work");
  }
}

TEST(SpecErrors, GridMistakes) {
  EXPECT_EQ(
      config_error_of(with("grid: {structure.n: 6}\n")),
      "SPEC:5:8: grid.structure.n: expected a non-empty list of values, e.g. [0.1, 0.5], got the value 6");
  EXPECT_EQ(config_error_of(with("grid: {structure.n: []}\n")),
            "SPEC:5:8: grid.structure.n: expected a non-empty list of values, e.g. [0.1, 0.5], got a list");
  EXPECT_CONTAINS(config_error_of(with("grid: {training.lrr: [0.1]}\n")),
                  "SPEC:5:8: grid.training.lrr: unknown key 'lrr' in 'training'; allowed keys: optimizer,");
  EXPECT_CONTAINS(
      config_error_of(with("grid: {training: [0.1]}\n")),
      "SPEC:5:8: grid.training: 'training' is a section, not a value; set one of its keys: optimizer,");
  EXPECT_EQ(
      config_error_of(with("grid: {seeds: [[1], [2]]}\n")),
      "SPEC:5:8: grid.seeds: the grid cannot vary a top-level key; list repetitions under seeds instead");
  EXPECT_EQ(config_error_of(with("grid: [structure.n]\n")),
            "SPEC:5:1: grid: expected a mapping of key path -> list of values, got a list");
}

TEST(SpecErrors, GridValueErrorsPointAtTheValue) {
  EXPECT_EQ(config_error_of(with("grid:\n  structure.n: [5, 0]\n")),
            "SPEC:6:20: structure.n: generator plugin 'fixture_path': must be at least 1");
  EXPECT_EQ(config_error_of(with("grid:\n  training.lr: [0.1, -1]\n")),
            "SPEC:6:22: training.lr: expected a real > 0, got -1.0");
}

TEST(SpecErrors, GridValuesThatResolveToTheSameRunAreAnError) {
  EXPECT_EQ(config_error_of(with("grid: {training.epochs: [2, 3, 2]}\n")),
            "SPEC:5:8: grid: grid points (training.epochs=2) and (training.epochs=2) resolve to the same run "
            "toy-" +
                plan_text(with("training: {epochs: 2}\n")).runs[0].spec_hash.substr(0, 10) +
                "; remove one of the values");
}

TEST(SpecErrors, OverrideMistakesNameTheSetItem) {
  EXPECT_EQ(config_error_of(kMinimalSpec, {"training.lr"}),
            "--set training.lr: expected key.path=value, e.g. training.lr=0.1");
  EXPECT_CONTAINS(
      config_error_of(kMinimalSpec, {"training.lrr=0.1"}),
      "--set training.lrr=0.1: training.lrr: unknown key 'lrr' in 'training'; allowed keys: optimizer,");
  EXPECT_CONTAINS(config_error_of(kMinimalSpec, {"optimiser=sgd"}),
                  "--set optimiser=sgd: optimiser: unknown key 'optimiser' in the top level; allowed keys:");
  EXPECT_CONTAINS(config_error_of(kMinimalSpec, {"training=5"}),
                  "--set training=5: training: 'training' is a section, not a value");
  EXPECT_EQ(config_error_of(kMinimalSpec, {"training.lr.x=5"}),
            "--set training.lr.x=5: training.lr.x: 'training.lr' holds a value, not a section");
  EXPECT_EQ(config_error_of(kMinimalSpec, {"training.lr=-1"}),
            "--set training.lr=-1: training.lr: expected a real > 0, got -1.0");
  EXPECT_EQ(config_error_of(kMinimalSpec, {"structure.k=4"}),
            "--set structure.k=4: structure.k: generator plugin 'fixture_path': unknown parameter; expected "
            "one of: "
            "n, label");
  EXPECT_EQ(config_error_of(kMinimalSpec, {"training.lr=[1, a]"}),
            "--set training.lr=[1, a]: training.lr: a list must hold only numbers or only strings");
}

}  // namespace
}  // namespace structlab::spec
