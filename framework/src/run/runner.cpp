#include "structlab/run/runner.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

#include "structlab/archive/run_archive.hpp"
#include "structlab/error.hpp"
#include "structlab/run/execute_run.hpp"

namespace structlab::run {

std::filesystem::path archive_path_of(const std::filesystem::path& out_dir, const spec::RunSpec& run) {
  return out_dir / run.experiment / (run.run_id + ".h5");
}

namespace {

std::vector<const spec::RunSpec*> selected_runs(const spec::ExperimentPlan& plan, const RunnerOptions& options) {
  std::vector<const spec::RunSpec*> runs;
  if (options.run_index) {
    auto count = static_cast<std::int64_t>(plan.runs.size());
    if (*options.run_index < 0 || *options.run_index >= count) {
      throw ConfigError("--run-index " + std::to_string(*options.run_index) + ": the experiment has " +
                        std::to_string(count) + " runs, so expected 0.." + std::to_string(count - 1));
    }
    runs.push_back(&plan.runs[static_cast<std::size_t>(*options.run_index)]);
  } else {
    for (const auto& run : plan.runs) runs.push_back(&run);
  }
  return runs;
}

int total_threads(const spec::ExperimentPlan& plan, const RunnerOptions& options) {
  int requested = options.threads ? *options.threads
                                   : (plan.runs.empty() ? 0 : static_cast<int>(plan.runs.front().training.threads));
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

std::vector<RunOutcome> run_plan(const spec::ExperimentPlan& plan, const RunnerOptions& options,
                                 ProgressSink& progress) {
  if (options.jobs < 1) throw ConfigError("--jobs: expected at least 1, got " + std::to_string(options.jobs));
  std::vector<const spec::RunSpec*> runs = selected_runs(plan, options);
  std::vector<RunOutcome> outcomes(runs.size());

  const int jobs = std::min<int>(options.jobs, static_cast<int>(std::max<std::size_t>(runs.size(), 1)));
  const int threads_per_run = std::max(1, total_threads(plan, options) / jobs);

  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < runs.size(); i = next++) {
      const spec::RunSpec& run = *runs[i];
      std::filesystem::path archive = archive_path_of(options.out_dir, run);
      if (!options.force && archive::archive_state(archive) == archive::ArchiveState::completed) {
        RunOutcome skipped;
        skipped.index = run.index;
        skipped.run_id = run.run_id;
        skipped.status = "skipped";
        skipped.archive = archive;
        outcomes[i] = skipped;
        progress.finished(skipped);
        continue;
      }
      RunEnvironment environment{archive, threads_per_run, plan.plugin_paths};
      outcomes[i] = execute_run(run, environment, progress);
      progress.finished(outcomes[i]);
    }
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
