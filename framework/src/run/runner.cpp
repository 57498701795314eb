#include "structlab/run/runner.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include "structlab/archive/run_archive.hpp"
#include "structlab/error.hpp"
#include "structlab/run/execute_run.hpp"
#include "structlab/run/run_lock.hpp"
#include "structlab/run/stop.hpp"

namespace structlab::run {

std::filesystem::path archive_path_of(const std::filesystem::path& out_dir, const spec::RunSpec& run) {
  return out_dir / run.experiment / (run.run_id + ".h5");
}

namespace {

// The indices of the runs to run: one (--run-index) or all. A large plan's runs are built as they start.
std::vector<std::uint64_t> selected_runs(const spec::ExperimentPlan& plan, const RunnerOptions& options) {
  const auto count = static_cast<std::int64_t>(plan.run_count());
  if (options.run_index) {
    if (*options.run_index < 0 || *options.run_index >= count) {
      throw ConfigError("--run-index " + std::to_string(*options.run_index) + ": the experiment has " +
                        std::to_string(count) + " runs, so expected 0.." + std::to_string(count - 1));
    }
    return {static_cast<std::uint64_t>(*options.run_index)};
  }
  std::vector<std::uint64_t> indices(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = i;
  return indices;
}

// Fails before any run when the output folder cannot be created or written, instead of once per run.
void check_output_folder(const std::filesystem::path& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) throw ConfigError(fmt::format("--out: cannot create {}: {}", folder.string(), error.message()));
  const std::filesystem::path probe = folder / fmt::format(".structlab-write-test-{}", ::getpid());
  {
    std::ofstream out(probe);
    out << "structlab\n";
    out.flush();
    if (!out) {
      std::filesystem::remove(probe, error);
      throw ConfigError(fmt::format("--out: cannot write in {}", folder.string()));
    }
  }
  std::filesystem::remove(probe, error);
}

int total_threads(const spec::ExperimentPlan& plan, const RunnerOptions& options) {
  int requested = 0;
  if (options.threads) {
    requested = *options.threads;
  } else if (plan.run_count() > 0) {
    try {
      requested = static_cast<int>(plan.run_at(0).training.threads);
    } catch (const ConfigError&) {
      // an invalid combination of a large grid: that run fails with its message; the default serves the others
    }
  }
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

std::vector<RunOutcome> run_plan(const spec::ExperimentPlan& plan, const RunnerOptions& options,
                                 ProgressSink& progress) {
  if (options.jobs < 1) throw ConfigError("--jobs: expected at least 1, got " + std::to_string(options.jobs));
  std::vector<std::uint64_t> runs = selected_runs(plan, options);
  std::vector<RunOutcome> outcomes(runs.size());
  if (!runs.empty()) check_output_folder(options.out_dir / plan.experiment);

  const int jobs = std::min<int>(options.jobs, static_cast<int>(std::max<std::size_t>(runs.size(), 1)));
  const int threads_per_run = std::max(1, total_threads(plan, options) / jobs);

  std::atomic<std::size_t> next{0};
  auto run_one = [&](std::size_t i) {
    spec::RunSpec run;
    try {
      run = plan.run_at(runs[i]);
      if (options.run_id) run.run_id = *options.run_id;
    } catch (const ConfigError& e) {
      // a combination of a large grid that only fails together: this run fails, the others go on
      RunOutcome outcome;
      outcome.index = static_cast<std::int64_t>(runs[i]);
      outcome.run_id = fmt::format("{}-run-{}", plan.experiment, runs[i]);
      outcome.status = "failed";
      outcome.message = e.what();
      outcomes[i] = outcome;
      progress.finished(outcome);
      return;
    }
    std::filesystem::path archive = archive_path_of(options.out_dir, run);
    auto report = [&](const std::string& status, const std::string& message) {
      RunOutcome outcome;
      outcome.index = run.index;
      outcome.run_id = run.run_id;
      outcome.status = status;
      outcome.message = message;
      outcome.archive = archive;
      outcomes[i] = outcome;
      progress.finished(outcome);
    };
    // one process per run id, across processes and hosts sharing the output folder
    LockHolder holder;
    std::unique_ptr<RunLock> lock;
    try {
      lock = RunLock::acquire(lock_path_of(archive), holder);
    } catch (const std::exception& e) {
      report("failed", e.what());
      return;
    }
    if (!lock) {
      report("locked", "another process is running it: " + holder.describe());
      return;
    }
    const archive::ArchiveIdentity existing = archive::archive_identity(archive);
    if (!options.force && existing.state == archive::ArchiveState::completed) {
      if (existing.spec_hash == run.spec_hash) {
        report("skipped", "");
      } else {
        report("failed",
               fmt::format("{} is a completed archive of another run (run id {}, spec hash {}; this "
                           "run has spec hash {}): not overwritten. Move it away, or use --force to "
                           "replace it",
                           archive.string(), existing.run_id, existing.spec_hash, run.spec_hash));
      }
      return;
    }
    if (stop_requested()) {
      report("interrupted", "not started: a stop was requested");
      return;
    }
    RunEnvironment environment;
    environment.archive_path = archive;
    environment.threads = threads_per_run;
    environment.plugin_paths = plan.plugin_paths;
    environment.checkpoint_every = options.checkpoint_every;
    environment.restart = options.force;
    environment.run_lock = lock.get();
    outcomes[i] = execute_run(run, environment, progress);
    progress.finished(outcomes[i]);
  };
  auto worker = [&] {
    for (std::size_t i = next++; i < runs.size(); i = next++) run_one(i);
  };
  if (jobs == 1) {
    worker();
  } else {
    std::vector<std::thread> workers;
    for (int j = 0; j < jobs; ++j) workers.emplace_back(worker);
    for (auto& thread : workers) thread.join();
  }
  return outcomes;
}

}  // namespace structlab::run
