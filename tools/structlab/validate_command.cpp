#include <fmt/core.h>

#include <iostream>

#include "commands.hpp"
#include "structlab/spec/loader.hpp"

namespace structlab::cli {
namespace {

struct ValidateOptions {
  std::filesystem::path spec_file;
  std::vector<std::string> overrides;
};

int validate(const GlobalOptions& global, const ValidateOptions& options) {
  std::vector<std::string> problems =
      spec::validate_experiment(options.spec_file, options.overrides, global.plugin_paths);
  if (!problems.empty()) {
    for (const auto& problem : problems) std::cerr << "error: " << problem << "\n";
    std::cerr << fmt::format("{}: {} problem{}\n", options.spec_file.string(), problems.size(),
                             problems.size() == 1 ? "" : "s");
    return 1;
  }
  // planning again is cheap and yields the run count the validation above vouched for
  spec::ExperimentPlan plan =
      spec::plan_experiment(options.spec_file, options.overrides, global.plugin_paths);
  fmt::print("{}: valid, {} run{}\n", options.spec_file.string(), plan.run_count(),
             plan.run_count() == 1 ? "" : "s");
  if (plan.large) {
    fmt::print("note: more than {} runs: each grid value was checked once, with the other axes at their first "
               "value; a combination of values that is invalid only together fails when its run starts\n",
               spec::kWholePlanRunLimit);
  }
  return 0;
}

}  // namespace

void add_validate_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected) {
  auto options = std::make_shared<ValidateOptions>();
  auto* command =
      app.add_subcommand("validate", "Check an experiment spec and its plugins; print every problem");
  command->add_option("spec", options->spec_file, "Experiment spec (YAML)")->required();
  command->add_option("--set", options->overrides, "Override a key: key.path=value (repeatable)");
  command->callback([&selected, &global, options] {
    selected = [&global, options] { return validate(global, *options); };
  });
}

}  // namespace structlab::cli
