// `structlab graph`: generate a structure with a generator plugin, print its metrics, optionally save it.

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <iostream>
#include <optional>

#include "commands.hpp"
#include "metrics_output.hpp"
#include "sample_table.hpp"
#include "structlab/error.hpp"
#include "structlab/graph/io.hpp"
#include "structlab/graph/layered_graph.hpp"
#include "structlab/graph/metrics.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/registry.hpp"
#include "structlab/spec/loader.hpp"
#include "structlab/spec/value_text.hpp"

namespace structlab::cli {
namespace {

struct GraphOptions {
  std::string generator;
  std::vector<std::string> assignments;
  std::uint64_t seed = 0;
  std::string orient = "index";
  MetricsFlags metrics;
  std::string format;
  std::string output;
};

struct SampleOptions {
  std::string spec;
  std::vector<std::string> overrides;
  bool json = false;
};

// `structlab graph sample SPEC`: the graphs the spec's structure sample keeps, without running anything.
int run_sample(const GlobalOptions& global, const SampleOptions& options) {
  spec::ExperimentPlan plan = spec::plan_experiment(options.spec, options.overrides, global.plugin_paths);
  if (!plan.structure_sample) {
    throw ConfigError(options.spec + ": structure: the spec has no `sample:` section to show (see configs/README.md, "
                                     "\"Sampling structures by their measures\")");
  }
  if (options.json) {
    std::cout << sample_json(*plan.structure_sample).dump(2) << "\n";
  } else {
    std::cout << sample_table(*plan.structure_sample);
  }
  return 0;
}

int run_graph(const GlobalOptions& global, const GraphOptions& options) {
  graph::Orientation orientation = graph::parse_orientation(options.orient);
  std::optional<graph::GraphFormat> format;
  if (!options.format.empty()) format = graph::parse_graph_format(options.format);
  check_metrics_flags(options.metrics);

  Params params = spec::parse_assignments(options.assignments, "generator '" + options.generator + "'");
  auto registry = plugin::PluginRegistry::with_default_paths(global.plugin_paths);
  auto generator = registry.create_generator(options.generator, params);
  graph::EdgeListGraph generated = generator->generate(options.seed);
  graph::LayeredGraph structure = graph::LayeredGraph::from_edge_list(generated, orientation, options.seed);

  graph::GraphMetrics metrics = command_metrics(structure, options.metrics, options.seed);

  if (!options.output.empty()) graph::write_graph(structure, options.output, format);
  if (format == graph::GraphFormat::json) {
    std::cout << metrics.to_json() << "\n";
  } else {
    print_metrics_table(metrics);
    if (!options.output.empty()) fmt::print("{:<28} {}\n", "written to", options.output);
  }
  return 0;
}

}  // namespace

void add_graph_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected) {
  auto options = std::make_shared<GraphOptions>();
  auto* command =
      app.add_subcommand("graph", "Generate a structure with a generator plugin and print its metrics");
  command->add_option("generator", options->generator, "Generator plugin, e.g. watts_strogatz");
  command->add_option("assignments", options->assignments,
                      "Generator parameters as key=value, e.g. n=100 k=4");
  command->add_option("--seed", options->seed,
                      "Seed of the generator and of a random orientation (default 0)");
  command->add_option("--orient", options->orient,
                      "How undirected graphs become DAGs: index or random (default index)");
  add_metrics_flags(*command, options->metrics);
  command->add_option(
      "--format", options->format,
      "edgelist, graphml, dot or json: the file format of -o (default: its extension); json also "
      "prints the metrics as JSON");
  command->add_option("-o,--output", options->output, "Also write the graph to this file");
  auto sample = std::make_shared<SampleOptions>();
  auto* sample_command = command->add_subcommand(
      "sample", "Draw a spec's structure sample and list the graphs it keeps (parameters, seed, measures, bin)");
  sample_command->add_option("spec", sample->spec, "Experiment spec (YAML) with structure.sample")->required();
  sample_command->add_option("--set", sample->overrides, "Override a spec key: key.path=value (repeatable)");
  sample_command->add_flag("--json", sample->json, "Print the sample as JSON");
  command->callback([&selected, &global, options, sample, sample_command] {
    if (sample_command->parsed()) {
      selected = [&global, sample] { return run_sample(global, *sample); };
    } else {
      // a usage error (exit 2), like any other missing argument
      if (options->generator.empty()) throw CLI::RequiredError("generator (or the subcommand: sample SPEC)");
      selected = [&global, options] { return run_graph(global, *options); };
    }
  });
}

}  // namespace structlab::cli
