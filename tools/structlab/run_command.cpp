#include <fmt/core.h>
#include <unistd.h>

#include <iostream>

#include "commands.hpp"
#include "structlab/run/runner.hpp"
#include "structlab/spec/loader.hpp"

namespace structlab::cli {
namespace {

struct RunCommandOptions {
  std::filesystem::path spec;
  std::filesystem::path out = "runs";
  int jobs = 1;
  std::int64_t run_index = -1;
  bool dry_run = false;
  bool force = false;
  std::vector<std::string> overrides;
};

int run_experiment(const GlobalOptions& global, const RunCommandOptions& options) {
  // everything is validated here, before any run starts or any file is written
  spec::ExperimentPlan plan = spec::plan_experiment(options.spec, options.overrides, global.plugin_paths);
  if (options.dry_run) {
    for (const auto& run : plan.runs) {
      std::string point;
      for (const auto& [key, value] : run.grid_point) point += " " + key + "=" + value;
      fmt::print("{:<5} {}  seed={}{}  -> {}\n", run.index, run.run_id, run.seed, point,
                 run::archive_path_of(options.out, run).string());
    }
    return 0;
  }
  run::RunnerOptions runner;
  runner.out_dir = options.out;
  runner.jobs = options.jobs;
  runner.force = options.force;
  if (options.run_index >= 0) runner.run_index = options.run_index;
  if (global.threads > 0) runner.threads = global.threads;
  run::ConsoleProgress progress(std::cerr, isatty(STDERR_FILENO) != 0);
  std::vector<run::RunOutcome> outcomes = run::run_plan(plan, runner, progress);
  std::cout << run::summary_table(outcomes) << std::flush;
  for (const auto& outcome : outcomes) {
    if (outcome.status == "failed") return 1;
  }
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected) {
  auto options = std::make_shared<RunCommandOptions>();
  auto* command = app.add_subcommand("run", "Run an experiment spec: every grid point x seed, one HDF5 archive each");
  command->add_option("spec", options->spec, "Experiment spec (YAML)")->required();
  command->add_option("--out", options->out, "Output directory (archives go to OUT/<experiment>/<run-id>.h5)")
      ->capture_default_str();
  command->add_option("--jobs", options->jobs, "Runs at once; threads are split between them")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--run-index", options->run_index, "Run only the I-th run of the list (for array jobs)")
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--dry-run", options->dry_run, "List the runs (index, id, seed, grid point, archive) and exit");
  command->add_flag("--force", options->force, "Redo runs whose archive is already complete");
  command->add_option("--set", options->overrides, "Override a spec key: --set training.lr=0.01 (repeatable)");
  command->callback([&selected, &global, options] {
    selected = [&global, options] { return run_experiment(global, *options); };
  });
}

}  // namespace structlab::cli
