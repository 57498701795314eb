// Figure for the runner: the overhead of one run apart from training — reading and validating the spec,
// scanning and loading plugins, opening, writing and closing the archive. Reference (issue 5):
// run_overhead_ms <= 100.

#include <filesystem>
#include <fstream>

#include "bench.hpp"
#include "structlab/run/execute_run.hpp"
#include "structlab/run/runner.hpp"
#include "structlab/spec/loader.hpp"

namespace structlab::bench {
namespace {

namespace fs = std::filesystem;

// A run whose training costs nothing: 16 synthetic samples, a 2-4-1 FFN, no epochs.
const char* kTrivialSpec = R"(experiment: overhead
seeds: [1]
dataset: {plugin: function, function: seed_example, train_size: 16, test_size: 16}
model: {plugin: ffn, hidden_widths: [4]}
training: {epochs: 0, threads: 1}
)";

class SilentProgress : public run::ProgressSink {
 public:
  void update(const run::ProgressUpdate&) override {}
  void finished(const run::RunOutcome&) override {}
};

std::map<std::string, double> measure_runner(const BenchOptions& options) {
  fs::path dir = fs::temp_directory_path() / "structlab-bench-runner";
  fs::create_directories(dir);
  fs::path spec = dir / "overhead.yaml";
  std::ofstream(spec) << kTrivialSpec;
  SilentProgress progress;
  const int repeats = options.quick ? 2 : 5;
  double best = best_seconds_of(repeats, [&] {
    spec::ExperimentPlan plan = spec::plan_experiment(spec, {}, {});
    run::RunnerOptions runner;
    runner.out_dir = dir / "out";
    runner.force = true;
    auto outcomes = run::run_plan(plan, runner, progress);
    if (outcomes.front().status != "completed") throw std::runtime_error(outcomes.front().message);
  });
  fs::remove_all(dir);
  return {{"run_overhead_ms", best * 1000.0}};
}

const bool registered = register_group("runner", measure_runner);

}  // namespace
}  // namespace structlab::bench
