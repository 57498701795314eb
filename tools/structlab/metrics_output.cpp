#include "metrics_output.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <vector>

#include "progress_line.hpp"
#include "structlab/error.hpp"

namespace structlab::cli {
namespace {

// At most `limit` items of a long list, then how many there are in all.
std::string shortened(const std::vector<std::int64_t>& items, std::size_t limit = 16) {
  if (items.size() <= limit) return fmt::format("[{}]", fmt::join(items, ", "));
  std::vector<std::int64_t> head(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(limit));
  return fmt::format("[{}, ...] ({} in all)", fmt::join(head, ", "), items.size());
}

}  // namespace

void add_metrics_flags(CLI::App& command, MetricsFlags& flags) {
  command.add_flag("--metrics", flags.metrics,
                   "Also compute clustering C and average path length L (progress on stderr)");
  command.add_option("--metrics-mode", flags.mode,
                     "With --metrics: full (always exact) or sampled (exact while cheap, seeded estimates "
                     "on big graphs; default)");
  command.add_option("--path-samples", flags.path_samples,
                     "With --metrics: estimate L from this many seeded sampled sources (0: as "
                     "--metrics-mode says)");
}

void check_metrics_flags(const MetricsFlags& flags) {
  if (flags.path_samples < 0)
    throw ConfigError(fmt::format("--path-samples must be 0 (as --metrics-mode says) or positive, got {}",
                                  flags.path_samples));
  if (flags.mode != "full" && flags.mode != "sampled")
    throw ConfigError(fmt::format("--metrics-mode must be full or sampled, got '{}'", flags.mode));
}

graph::GraphMetrics command_metrics(const graph::LayeredGraph& structure, const MetricsFlags& flags,
                                    std::uint64_t seed) {
  graph::MetricsOptions options = graph::metrics_options_for(
      structure, flags.metrics ? graph::parse_metrics_mode(flags.mode) : graph::MetricsMode::none);
  if (flags.path_samples > 0) options.path_samples = flags.path_samples;
  options.seed = seed;
  options.threads = 0;  // the command has the machine to itself
  options.progress = ProgressLine(stderr);
  return graph::compute_metrics(structure, options);
}

void print_metrics_table(const graph::GraphMetrics& metrics) {
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

}  // namespace structlab::cli
