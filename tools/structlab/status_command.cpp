// `structlab status SPEC [--out DIR] [--set k=v] [--json]`: where each run of a sweep stands, from the files in
// its output folder (no Slurm needed).

#include <fmt/core.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "structlab/run/sweep_status.hpp"
#include "structlab/spec/loader.hpp"

namespace structlab::cli {
namespace {

struct StatusOptions {
  std::filesystem::path spec;
  std::filesystem::path out = "runs";
  std::vector<std::string> overrides;
  bool json = false;
};

std::string counts_line(const std::map<run::RunState, std::size_t>& counts, std::size_t total) {
  std::string line = fmt::format("{} run{}:", total, total == 1 ? "" : "s");
  bool first = true;
  for (const auto& [state, count] : counts) {
    line += fmt::format("{} {} {}", first ? "" : ",", count, run::to_string(state));
    first = false;
  }
  return line;
}

int status(const GlobalOptions& global, const StatusOptions& options) {
  spec::ExperimentPlan plan = spec::plan_experiment(options.spec, options.overrides, global.plugin_paths);
  std::vector<run::RunStatus> runs = run::sweep_status(plan, options.out);
  const auto counts = run::count_states(runs);
  if (options.json) {
    nlohmann::json out;
    out["experiment"] = plan.experiment;
    out["folder"] = (options.out / plan.experiment).string();
    nlohmann::json count_json = nlohmann::json::object();
    for (const auto& [state, count] : counts) count_json[run::to_string(state)] = count;
    out["counts"] = count_json;
    out["runs"] = nlohmann::json::array();
    for (const auto& run : runs) {
      nlohmann::json item{{"index", run.index},
                          {"run_id", run.run_id},
                          {"state", run::to_string(run.state)},
                          {"detail", run.detail},
                          {"archive", run.archive.string()}};
      item["log"] = run.log.empty() ? nlohmann::json(nullptr) : nlohmann::json(run.log.string());
      out["runs"].push_back(item);
    }
    std::cout << out.dump(2) << "\n" << std::flush;
    return 0;
  }
  std::size_t id_width = 6;
  for (const auto& run : runs) id_width = std::max(id_width, run.run_id.size());
  fmt::print("{} in {}\n", plan.experiment, (options.out / plan.experiment).string());
  fmt::print("{:<5} {:<{}}  {:<11}  {}\n", "index", "run id", id_width, "state", "detail");
  for (const auto& run : runs) {
    std::string detail = run.detail;
    if (!run.log.empty() && run.state != run::RunState::completed) {
      detail += (detail.empty() ? "" : "; ") + std::string("log ") + run.log.string();
    }
    fmt::print("{:<5} {:<{}}  {:<11}  {}\n", run.index, run.run_id, id_width, run::to_string(run.state), detail);
  }
  fmt::print("{}\n", counts_line(counts, runs.size()));
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected) {
  auto options = std::make_shared<StatusOptions>();
  auto* command = app.add_subcommand(
      "status", "Where each run of a spec stands: completed, running, interrupted, failed or not started");
  command->add_option("spec", options->spec, "Experiment spec (YAML)")->required();
  command->add_option("--out", options->out, "Output directory the runs were written to")->capture_default_str();
  command->add_option("--set", options->overrides, "Override a spec key, as given to `run` (repeatable)");
  command->add_flag("--json", options->json, "Print JSON: experiment, folder, counts and one object per run");
  command->callback([&selected, &global, options] {
    selected = [&global, options] { return status(global, *options); };
  });
}

}  // namespace structlab::cli
