// MetricsMode: its names, and the choice between exact and sampled C and L by the work they would take.

#include "structlab/error.hpp"
#include "structlab/graph/metrics.hpp"

namespace structlab::graph {

MetricsMode parse_metrics_mode(const std::string& text) {
  if (text == "full") return MetricsMode::full;
  if (text == "sampled") return MetricsMode::sampled;
  if (text == "none") return MetricsMode::none;
  throw ConfigError("metrics mode '" + text + "' is unknown; expected one of: full, sampled, none");
}

const char* to_string(MetricsMode mode) {
  switch (mode) {
    case MetricsMode::full:
      return "full";
    case MetricsMode::sampled:
      return "sampled";
    case MetricsMode::none:
      return "none";
  }
  return "sampled";
}

MetricsOptions metrics_options_for(const LayeredGraph& graph, MetricsMode mode) {
  MetricsOptions options;
  options.threads = 1;  // a run computes metrics beside training; the result does not depend on it
  if (mode == MetricsMode::none) {
    options.clustering = false;
    options.path_length = false;
    return options;
  }
  if (mode == MetricsMode::full) return options;

  // work in doubles: n (n + 2E) overflows 64 bits long before a graph stops fitting in memory
  const std::int64_t n = graph.num_vertices();
  const double bfs_steps = static_cast<double>(n) + 2.0 * static_cast<double>(graph.num_edges());
  double squared_degrees = 0.0;  // the exact C reads each neighbour's list once per neighbour
  for (VertexId v = 0; v < n; ++v) {
    auto degree = static_cast<double>(graph.in_degree(v) + graph.out_degree(v));
    squared_degrees += degree * degree;
  }
  if (squared_degrees > kExactClusteringWork) options.clustering_samples = kClusteringSamples;
  // on big graphs each BFS step is a cache miss: fewer sources there keep L within seconds
  const std::int64_t samples = n > kManyVertices ? kPathSamplesOnBigGraphs : kPathSamples;
  if (static_cast<double>(n) * bfs_steps > kExactPathWork && n > samples) options.path_samples = samples;
  return options;
}

}  // namespace structlab::graph
