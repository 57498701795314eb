#include <fmt/core.h>
#include <unistd.h>

#include <iostream>

#include "commands.hpp"
#include "sample_table.hpp"
#include "structlab/error.hpp"
#include "structlab/run/runner.hpp"
#include "structlab/run/stop.hpp"
#include "structlab/spec/loader.hpp"

namespace structlab::cli {
namespace {

struct RunCommandOptions {
  std::filesystem::path spec;
  std::filesystem::path out = "runs";
  int jobs = 1;
  std::int64_t run_index = -1;
  std::string run_id;
  bool dry_run = false;
  bool force = false;
  std::string checkpoint_every = "10m";
  std::vector<std::string> overrides;
};

// The index of the run \p run_id names: its run id, or `<experiment>-<full spec hash>` (the id a pinned one-run
// spec gives when the sweep's short id had to be lengthened to stay unique).
std::int64_t index_of_run_id(const spec::ExperimentPlan& plan, const std::string& run_id) {
  std::string known;
  for (std::uint64_t i = 0; i < plan.run_count(); ++i) {
    try {
      const spec::RunSpec run = plan.run_at(i);
      if (run.run_id == run_id || run.experiment + "-" + run.spec_hash == run_id) return run.index;
      if (i < 3) known += (i ? ", " : "") + run.run_id;
    } catch (const ConfigError&) {
      // a large grid's invalid combination is not the run asked for
    }
  }
  if (plan.run_count() > 3) known += ", ...";
  throw ConfigError(fmt::format("--run-id {}: no run of experiment '{}' has this id (its {} runs: {}); "
                                "`structlab run {} --dry-run` lists them with their ids",
                                run_id, plan.experiment, plan.run_count(), known, plan.source_file));
}

int run_experiment(const GlobalOptions& global, const RunCommandOptions& options) {
  // everything is validated here, before any run starts or any file is written
  spec::ExperimentPlan plan = spec::plan_experiment(options.spec, options.overrides, global.plugin_paths);
  if (options.dry_run) {
    if (plan.structure_sample) std::cout << sample_table(*plan.structure_sample) << "\n";
    // one run at a time: a large grid is listed without being held in memory
    std::uint64_t invalid = 0;
    for (std::uint64_t i = 0; i < plan.run_count(); ++i) {
      try {
        const spec::RunSpec run = plan.run_at(i);
        std::string point;
        for (const auto& [key, value] : run.grid_point) point += " " + key + "=" + value;
        fmt::print("{:<5} {}  seed={}{}  -> {}\n", run.index, run.run_id, run.seed, point,
                   run::archive_path_of(options.out, run).string());
      } catch (const ConfigError& e) {
        // a large grid's combination that is invalid only together: listed, and the exit status says so
        ++invalid;
        fmt::print("{:<5} invalid: {}\n", i, e.what());
      }
    }
    if (invalid > 0) {
      std::cerr << fmt::format("error: {} of {} runs are invalid combinations of grid values (listed above)\n",
                               invalid, plan.run_count());
      return 1;
    }
    return 0;
  }
  run::RunnerOptions runner;
  runner.out_dir = options.out;
  runner.jobs = options.jobs;
  runner.force = options.force;
  if (options.run_index >= 0) runner.run_index = options.run_index;
  if (!options.run_id.empty()) {
    runner.run_index = index_of_run_id(plan, options.run_id);
    // the id it was asked for names its files: a Slurm task of a large grid runs the pinned one-run spec, whose
    // own short id differs from the sweep's
    runner.run_id = options.run_id;
  }
  if (global.threads > 0) runner.threads = global.threads;
  runner.checkpoint_every = parse_duration(options.checkpoint_every);
  run::install_stop_handlers();
  run::ConsoleProgress progress(std::cerr, isatty(STDERR_FILENO) != 0);
  std::vector<run::RunOutcome> outcomes = run::run_plan(plan, runner, progress);
  std::cout << run::summary_table(outcomes) << std::flush;
  // interrupted runs are resumable: a scheduler that sees 75 (EX_TEMPFAIL) can requeue the job
  for (const auto& outcome : outcomes) {
    if (outcome.status == "interrupted") return run::kExitInterrupted;
  }
  for (const auto& outcome : outcomes) {
    if (outcome.status == "failed") return 1;
  }
  return 0;
}

}  // namespace

std::chrono::seconds parse_duration(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const std::string unit = text.substr(digits);
  long long scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  if (unit == "m" || unit == "min") scale = 60;
  if (unit == "h") scale = 3600;
  // digits only (no sign, no spaces: the text also goes into a Slurm batch script), at most 9 of them
  if (digits == 0 || digits > 9 || scale == 0) {
    throw ConfigError("--checkpoint-every: '" + text +
                      "' is not a duration; expected a whole number of seconds, minutes or hours, e.g. 90s, 10m, "
                      "2h, or 0 for no periodic checkpoints");
  }
  return std::chrono::seconds(std::stoll(text.substr(0, digits)) * scale);
}

void add_run_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected) {
  auto options = std::make_shared<RunCommandOptions>();
  auto* command = app.add_subcommand("run", "Run an experiment spec: every grid point x seed, one HDF5 archive each");
  command->add_option("spec", options->spec, "Experiment spec (YAML)")->required();
  command->add_option("--out", options->out, "Output directory (archives go to OUT/<experiment>/<run-id>.h5)")
      ->capture_default_str();
  command->add_option("--jobs", options->jobs, "Runs at once; threads are split between them")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  auto* run_index = command->add_option("--run-index", options->run_index, "Run only the I-th run of the list (for array jobs)")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--run-id", options->run_id,
                   "Run only the run with this id (as --dry-run lists them; stays right when the spec is edited)")
      ->excludes(run_index);
  command->add_flag("--dry-run", options->dry_run, "List the runs (index, id, seed, grid point, archive) and exit");
  command->add_flag("--force", options->force,
                    "Redo runs whose archive is already complete, and start runs with a checkpoint over");
  command->add_option("--checkpoint-every", options->checkpoint_every,
                      "Save a resumable checkpoint this often (90s, 10m, 2h; 0 = only on SIGTERM/SIGINT/SIGUSR1)")
      ->capture_default_str();
  command->add_option("--set", options->overrides, "Override a spec key: --set training.lr=0.01 (repeatable)");
  command->callback([&selected, &global, options] {
    selected = [&global, options] { return run_experiment(global, *options); };
  });
}

}  // namespace structlab::cli
