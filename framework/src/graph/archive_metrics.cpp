// The structure metrics of a run's archive, by the spec's `archive.metrics` mode.

#include "structlab/graph/archive_metrics.hpp"

namespace structlab::graph {

std::map<std::string, double> archive_metrics(const LayeredGraph& graph, MetricsMode mode) {
  std::map<std::string, double> out;
  if (mode == MetricsMode::none) return out;
  for (const auto& [name, value] : compute_metrics(graph, metrics_options_for(graph, mode)).flatten())
    out[name] = value;
  return out;
}

}  // namespace structlab::graph
