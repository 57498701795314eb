// `structlab evaluate RUN.h5 [--stage NN] [--json]`: rebuild a run's model from its archive and recompute the
// recorded test metrics.

#include <fmt/core.h>

#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "structlab/run/evaluate_archive.hpp"
#include "structlab/runtime.hpp"

namespace structlab::cli {
namespace {

struct EvaluateOptions {
  std::filesystem::path archive;
  std::int64_t stage = -1;
  bool json = false;
};

nlohmann::json number(double value) {
  return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}

int evaluate(const GlobalOptions& global, const EvaluateOptions& options) {
  set_threads(global.threads);
  std::optional<std::int64_t> stage;
  if (options.stage >= 0) stage = options.stage;
  const auto evaluations = run::evaluate_archive(options.archive, stage, global.plugin_paths);
  bool all_exact = true;
  for (const auto& evaluation : evaluations) all_exact = all_exact && evaluation.exact();
  if (options.json) {
    nlohmann::json stages = nlohmann::json::array();
    for (const auto& evaluation : evaluations) {
      stages.push_back({{"stage", evaluation.stage},
                        {"recorded",
                         {{"test_loss", number(evaluation.recorded_loss)},
                          {"test_accuracy", number(evaluation.recorded_accuracy)}}},
                        {"recomputed",
                         {{"test_loss", number(evaluation.recomputed_loss)},
                          {"test_accuracy", number(evaluation.recomputed_accuracy)}}},
                        {"exact", evaluation.exact()}});
    }
    std::cout << nlohmann::json{{"archive", options.archive.string()},
                                {"stages", stages},
                                {"exact", all_exact}}
                     .dump(2)
              << "\n";
  } else {
    fmt::print("{:<6} {:>17} {:>17} {:>14} {:>14}  {}\n", "stage", "test loss (rec.)", "test loss (now)",
               "acc. (rec.)", "acc. (now)", "");
    for (const auto& evaluation : evaluations) {
      fmt::print("{:02d}     {:>17.10g} {:>17.10g} {:>14.10g} {:>14.10g}  {}\n", evaluation.stage,
                 evaluation.recorded_loss, evaluation.recomputed_loss, evaluation.recorded_accuracy,
                 evaluation.recomputed_accuracy, evaluation.exact() ? "exact" : "DIFFERS");
    }
  }
  std::cout << std::flush;
  if (!std::cout) throw std::runtime_error("cannot write the output");
  return all_exact ? 0 : 4;
}

}  // namespace

void add_evaluate_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected) {
  auto options = std::make_shared<EvaluateOptions>();
  auto* command = app.add_subcommand(
      "evaluate", "Rebuild a run's model from its archive and recompute each stage's test loss and accuracy");
  command->add_option("archive", options->archive, "Run archive (.h5)")->required();
  command->add_option("--stage", options->stage, "Only this stage (00 = trained, 01.. = pruning stages)")
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--json", options->json, "Print JSON");
  command->callback([&selected, &global, options] {
    selected = [&global, options] { return evaluate(global, *options); };
  });
}

}  // namespace structlab::cli
