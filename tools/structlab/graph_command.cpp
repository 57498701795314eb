// `structlab graph`: generate a structure with a generator plugin, print its metrics, optionally save it.

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <iostream>
#include <optional>

#include "commands.hpp"
#include "sample_table.hpp"
#include "progress_line.hpp"
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
  bool metrics = false;
  std::string metrics_mode = "sampled";
  std::int64_t path_samples = 0;
  std::string format;
  std::string output;
};

// At most `limit` items of a long list, then how many there are in all.
std::string shortened(const std::vector<std::int64_t>& items, std::size_t limit = 16) {
  if (items.size() <= limit) return fmt::format("[{}]", fmt::join(items, ", "));
  std::vector<std::int64_t> head(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(limit));
  return fmt::format("[{}, ...] ({} in all)", fmt::join(head, ", "), items.size());
}

void print_table(const graph::GraphMetrics& metrics) {
  auto row = [](const std::string& name, const std::string& value) {
    fmt::print("{:<28} {}\n", name, value);
  };
  auto degree = [](const graph::DegreeSummary& d) {
    return fmt::format("min {}  mean {:.4g}  max {}", d.min, d.mean, d.max);
  };
  row("vertices", std::to_string(metrics.vertices));
  row("edges", std::to_string(metrics.edges));
  row("density", fmt::format("{:.6g}", metrics.density));
  row("in-degree", degree(metrics.in_degree));
  row("out-degree", degree(metrics.out_degree));
  row("sources", std::to_string(metrics.sources));
  row("sinks", std::to_string(metrics.sinks));
  row("layers", std::to_string(metrics.layers));
  row("layer widths", shortened(metrics.layer_widths));
  std::vector<std::string> spans;
  for (std::size_t span = 1; span < metrics.edge_spans.size(); ++span) {
    spans.push_back(fmt::format("{}: {}", span, metrics.edge_spans[span]));
  }
  row("edge spans (span: edges)",
      spans.size() <= 16 ? fmt::format("{}", fmt::join(spans, ", "))
                         : fmt::format("{}, ... ({} spans)",
                                       fmt::join(spans.begin(), spans.begin() + 16, ", "), spans.size()));
  row("skip edges (span > 1)", std::to_string(metrics.skip_edges));
  row("weak components", std::to_string(metrics.weak_components));
  if (metrics.has_clustering) {
    std::string how = metrics.clustering_samples == 0
                          ? "exact"
                          : fmt::format("estimated from {} wedges", metrics.clustering_samples);
    row("average clustering C", fmt::format("{:.6g} ({})", metrics.average_clustering, how));
  }
  if (metrics.has_path_length) {
    const auto& path = metrics.path_length;
    std::string how = path.exact ? "exact" : fmt::format("estimated from {} sources", path.sources);
    if (path.unreachable_pairs > 0)
      how += fmt::format(", {} disconnected pairs left out", path.unreachable_pairs);
    row("average path length L", fmt::format("{:.6g} ({})", path.average, how));
  }
}

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
  if (options.path_samples < 0)
    throw ConfigError(fmt::format("--path-samples must be 0 (as --metrics-mode says) or positive, got {}",
                                  options.path_samples));
  if (options.metrics_mode != "full" && options.metrics_mode != "sampled")
    throw ConfigError(fmt::format("--metrics-mode must be full or sampled, got '{}'", options.metrics_mode));

  Params params = spec::parse_assignments(options.assignments, "generator '" + options.generator + "'");
  auto registry = plugin::PluginRegistry::with_default_paths(global.plugin_paths);
  auto generator = registry.create_generator(options.generator, params);
  graph::EdgeListGraph generated = generator->generate(options.seed);
  graph::LayeredGraph structure = graph::LayeredGraph::from_edge_list(generated, orientation, options.seed);

  graph::MetricsOptions metrics_options =
      graph::metrics_options_for(structure, options.metrics ? graph::parse_metrics_mode(options.metrics_mode)
                                                            : graph::MetricsMode::none);
  if (options.path_samples > 0) metrics_options.path_samples = options.path_samples;
  metrics_options.seed = options.seed;
  metrics_options.threads = 0;  // the command has the machine to itself
  metrics_options.progress = ProgressLine(stderr);
  graph::GraphMetrics metrics = graph::compute_metrics(structure, metrics_options);

  if (!options.output.empty()) graph::write_graph(structure, options.output, format);
  if (format == graph::GraphFormat::json) {
    std::cout << metrics.to_json() << "\n";
  } else {
    print_table(metrics);
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
  command->add_flag("--metrics", options->metrics,
                    "Also compute clustering C and average path length L (progress on stderr)");
  command->add_option("--metrics-mode", options->metrics_mode,
                      "With --metrics: full (always exact) or sampled (exact while cheap, seeded estimates "
                      "on big graphs; default)");
  command->add_option("--path-samples", options->path_samples,
                      "With --metrics: estimate L from this many seeded sampled sources (0: as "
                      "--metrics-mode says)");
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
