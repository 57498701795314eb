#pragma once
/// \file
/// The runner: turns an experiment plan into runs, skips complete ones, runs the rest, reports.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "structlab/run/outcome.hpp"
#include "structlab/run/progress.hpp"
#include "structlab/spec/loader.hpp"

namespace structlab::run {

/// How `structlab run` runs a plan.
struct RunnerOptions {
  std::filesystem::path out_dir = "runs";  ///< archives go to <out_dir>/<experiment>/<run-id>.h5
  int jobs = 1;                            ///< runs at once; threads are split between them
  std::optional<std::int64_t> run_index;   ///< run only this index of the run list
  /// With run_index: the run id to archive and lock that run under, when it was asked for by another valid id
  /// (`<experiment>-<whole spec hash>`, as a large grid or a pinned one-run spec names it)
  std::optional<std::string> run_id;
  bool force = false;                      ///< redo runs whose archive is complete
  std::optional<int> threads;              ///< total LibTorch threads; default: the spec's training.threads
  /// Time between periodic checkpoints of a run (zero: checkpoint only when stopped by a signal).
  std::chrono::seconds checkpoint_every{600};
};

/// The archive path of \p run under \p out_dir.
std::filesystem::path archive_path_of(const std::filesystem::path& out_dir, const spec::RunSpec& run);

/// Runs the plan's runs (or just options.run_index) and returns one outcome per run in run-list order.
/// A run whose archive is complete is skipped unless options.force; a failed run does not stop the others.
/// Each run is executed under its RunLock: a run another process holds is reported "locked" and left alone.
/// A run is skipped only when its archive is complete and records the run's own full spec hash; a completed
/// archive of another run under its name is reported "failed" and kept (options.force replaces it).
/// Throws ConfigError before any run when the output folder cannot be created or written.
/// A run with a checkpoint resumes from it (options.force starts it over). Once a stop is requested (stop.hpp)
/// the running runs checkpoint and end "interrupted", and runs not yet started are reported "interrupted"
/// without starting.
/// Throws ConfigError when run_index is outside the run list or jobs < 1.
std::vector<RunOutcome> run_plan(const spec::ExperimentPlan& plan, const RunnerOptions& options,
                                 ProgressSink& progress);

}  // namespace structlab::run
