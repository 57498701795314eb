#pragma once
/// \file
/// Graph metrics: counts, degrees, layering, edge spans, components, and on the undirected skeleton the
/// average clustering coefficient C and the average shortest path length L (graph2nn's two measures),
/// exact or, on big graphs, as seeded sampled estimates.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "structlab/graph/layered_graph.hpp"

namespace structlab::graph {

/// Minimum, mean and maximum of a degree over all vertices (all 0 for an empty graph).
struct DegreeSummary {
  std::int64_t min = 0;  ///< smallest degree
  double mean = 0.0;     ///< average degree
  std::int64_t max = 0;  ///< largest degree
};

/// The average shortest path length on the undirected skeleton, exact or estimated.
struct PathLengthResult {
  double average = 0.0;      ///< mean distance over the connected ordered pairs (0 when there are none)
  std::int64_t sources = 0;  ///< BFS sources used
  bool exact = true;         ///< true when every vertex was a source
  std::int64_t unreachable_pairs = 0;  ///< ordered (source, vertex) pairs left out as disconnected
};

/// How far one of the costly metrics (C or L) has come; see MetricsOptions::progress.
struct MetricsProgress {
  const char* metric = "";  ///< "clustering" or "path length"
  const char* unit = "";    ///< what is counted: "vertices", "sampled wedges", "sources", "sampled sources"
  std::int64_t done = 0;    ///< units finished
  std::int64_t total = 0;   ///< units in all
};

/// Which of the costlier metrics to compute, and how.
struct MetricsOptions {
  bool clustering = true;               ///< compute the average clustering coefficient C
  bool path_length = true;              ///< compute the average shortest path length L
  std::int64_t clustering_samples = 0;  ///< C from this many seeded random wedges; 0: every vertex (exact)
  std::int64_t path_samples = 0;  ///< L from this many seeded random sources; 0 or >= n: every vertex (exact)
  std::uint64_t seed = 0;         ///< seed choosing the sampled wedges and sources
  int threads = 0;                ///< BFS threads; 0: std::thread::hardware_concurrency()
  /// Called on the calling thread when C or L starts (done = 0), now and then while it runs, and when it
  /// ends (done = total; once only when total is 0); may be empty. For progress lines on big graphs.
  std::function<void(const MetricsProgress&)> progress;
};

/// How a run (`archive.metrics`) or `structlab graph --metrics-mode` computes C and L.
enum class MetricsMode {
  full,     ///< always exact, whatever it costs
  sampled,  ///< exact while that is cheap (see metrics_options_for), seeded sampled estimates above
  none,     ///< neither C nor L, and for archives no structure metrics at all
};

/// Parses "full", "sampled" or "none"; throws ConfigError naming the accepted values otherwise.
MetricsMode parse_metrics_mode(const std::string& text);
/// "full", "sampled" or "none".
const char* to_string(MetricsMode mode);

/// `sampled` mode keeps C exact while the sum of the squared skeleton degrees (its work) is at most this.
inline constexpr double kExactClusteringWork = 2.0e7;
/// `sampled` mode keeps L exact while n (n + 2E) (the steps of one BFS per vertex) is at most this.
inline constexpr double kExactPathWork = 1.0e9;
/// Wedges (a vertex and two of its neighbours) of a sampled C: standard error at most 0.5 / sqrt(this).
inline constexpr std::int64_t kClusteringSamples = 50'000;
/// BFS sources of a sampled L (one batch of the multi-source BFS, which walks the graph once for 256).
inline constexpr std::int64_t kPathSamples = 256;
/// Vertices above which a sampled L takes kPathSamplesOnBigGraphs sources instead.
inline constexpr std::int64_t kManyVertices = 100'000;
/// BFS sources of a sampled L on graphs with more than kManyVertices vertices.
inline constexpr std::int64_t kPathSamplesOnBigGraphs = 64;

/// The options computing C and L of \p graph as \p mode says, single-threaded, seed 0: `full` exact,
/// `none` neither, `sampled` exact below kExactClusteringWork / kExactPathWork and estimated from
/// kClusteringSamples wedges and kPathSamples sources (kPathSamplesOnBigGraphs above kManyVertices
/// vertices) above.
MetricsOptions metrics_options_for(const LayeredGraph& graph, MetricsMode mode);

/// Every metric of one graph.
struct GraphMetrics {
  std::int64_t vertices = 0;               ///< number of vertices
  std::int64_t edges = 0;                  ///< number of (directed) edges
  double density = 0.0;                    ///< edges / (n (n-1)), the share of possible directed edges
  DegreeSummary in_degree;                 ///< in-degree over all vertices
  DegreeSummary out_degree;                ///< out-degree over all vertices
  std::int64_t sources = 0;                ///< vertices without incoming edges
  std::int64_t sinks = 0;                  ///< vertices without outgoing edges
  std::int64_t layers = 0;                 ///< number of layers
  std::vector<std::int64_t> layer_widths;  ///< vertices per layer, by layer index
  std::vector<std::int64_t> edge_spans;  ///< edge_spans[s] = edges from layer l to layer l+s (index 0 unused)
  std::int64_t skip_edges = 0;           ///< edges spanning more than one layer
  std::int64_t weak_components = 0;      ///< weakly connected components
  bool has_clustering = false;           ///< true when clustering was computed
  double average_clustering = 0.0;       ///< C on the undirected skeleton
  std::int64_t clustering_samples = 0;   ///< wedges C was estimated from; 0: exact
  bool has_path_length = false;          ///< true when path_length was computed
  PathLengthResult path_length;          ///< L on the undirected skeleton

  /// Every number as a (name, value) pair in a fixed order, e.g. "in_degree_mean", "layer_width_3",
  /// "edge_span_2", "average_clustering", "clustering_samples" and "path_length_samples" (0: exact);
  /// lists are flattened one entry per item. For archive attributes.
  std::vector<std::pair<std::string, double>> flatten() const;
  /// The metrics as a JSON object (lists stay lists, the degree summaries and L are nested objects).
  /// "edge_spans" is an object {"1": count, "2": count, ...}.
  std::string to_json(int indent = 2) const;
};

/// Computes the metrics of \p graph. Throws GraphError when the graph has a cycle (it has no layering).
GraphMetrics compute_metrics(const LayeredGraph& graph, const MetricsOptions& options = {});

/// Average clustering coefficient of the undirected skeleton: the mean over all vertices of
/// 2 T(v) / (d(v) (d(v) - 1)), with 0 for vertices of degree below 2 (networkx's average_clustering).
double average_clustering(const LayeredGraph& graph);

/// An unbiased seeded estimate of average_clustering(): the share of \p samples wedges whose two ends are
/// linked, each wedge a uniform random vertex and two distinct uniform random neighbours of it (a vertex
/// of degree below 2 counts as an open wedge), as networkx's approximation.average_clustering does.
/// Standard error at most 0.5 / sqrt(samples). Throws GraphError unless \p samples is positive.
double estimate_average_clustering(const LayeredGraph& graph, std::int64_t samples, std::uint64_t seed = 0);

/// Average shortest path length of the undirected skeleton by BFS from every vertex (or from
/// \p samples seeded random distinct sources when 0 < samples < n), spread over \p threads threads
/// (0: hardware concurrency). Pairs in different components are left out and counted.
/// Throws GraphError for a negative \p samples or \p threads.
PathLengthResult average_shortest_path_length(const LayeredGraph& graph, std::int64_t samples = 0,
                                              std::uint64_t seed = 0, int threads = 0);

/// Number of weakly connected components (an empty graph has none).
std::int64_t weak_component_count(const LayeredGraph& graph);

}  // namespace structlab::graph
