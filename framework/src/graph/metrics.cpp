// Counting metrics of a LayeredGraph and the flat / JSON forms of GraphMetrics.

#include "structlab/graph/metrics.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>

#include "graph/skeleton_metrics.hpp"
#include "structlab/error.hpp"

namespace structlab::graph {
namespace {

template <typename DegreeOf>
DegreeSummary summarize(std::int64_t n, DegreeOf degree_of) {
  DegreeSummary summary;
  if (n == 0) return summary;
  summary.min = degree_of(0);
  std::int64_t total = 0;
  for (VertexId v = 0; v < n; ++v) {
    std::int64_t degree = degree_of(v);
    summary.min = std::min(summary.min, degree);
    summary.max = std::max(summary.max, degree);
    total += degree;
  }
  summary.mean = static_cast<double>(total) / static_cast<double>(n);
  return summary;
}

VertexId root_of(std::vector<VertexId>& parent, VertexId v) {
  while (parent[static_cast<std::size_t>(v)] != v) {
    // path halving keeps the trees flat without recursion
    parent[static_cast<std::size_t>(v)] =
        parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(v)])];
    v = parent[static_cast<std::size_t>(v)];
  }
  return v;
}

nlohmann::json degree_json(const DegreeSummary& degree) {
  return {{"min", degree.min}, {"mean", degree.mean}, {"max", degree.max}};
}

}  // namespace

std::int64_t weak_component_count(const LayeredGraph& graph) {
  const std::int64_t n = graph.num_vertices();
  std::vector<VertexId> parent(static_cast<std::size_t>(n));
  std::iota(parent.begin(), parent.end(), VertexId{0});
  std::int64_t components = n;
  for (VertexId v = 0; v < n; ++v) {
    for (VertexId target : graph.out_neighbors(v)) {
      VertexId a = root_of(parent, v);
      VertexId b = root_of(parent, target);
      if (a == b) continue;
      parent[static_cast<std::size_t>(std::max(a, b))] = std::min(a, b);
      --components;
    }
  }
  return components;
}

GraphMetrics compute_metrics(const LayeredGraph& graph, const MetricsOptions& options) {
  if (options.clustering_samples < 0)
    throw GraphError("metrics: clustering_samples must be 0 (exact) or positive, got " +
                     std::to_string(options.clustering_samples));
  if (options.path_samples < 0)
    throw GraphError("metrics: path_samples must be 0 (exact) or positive, got " +
                     std::to_string(options.path_samples));
  if (options.threads < 0)
    throw GraphError("metrics: threads must be 0 (all cores) or positive, got " +
                     std::to_string(options.threads));
  GraphMetrics metrics;
  const std::int64_t n = graph.num_vertices();
  metrics.vertices = n;
  metrics.edges = graph.num_edges();
  if (n > 1)
    metrics.density =
        static_cast<double>(metrics.edges) / (static_cast<double>(n) * static_cast<double>(n - 1));
  metrics.in_degree = summarize(n, [&](VertexId v) { return graph.in_degree(v); });
  metrics.out_degree = summarize(n, [&](VertexId v) { return graph.out_degree(v); });
  metrics.sources = static_cast<std::int64_t>(graph.sources().size());
  metrics.sinks = static_cast<std::int64_t>(graph.sinks().size());

  metrics.layers = graph.num_layers();  // throws GraphError on a cycle, before any costly work
  for (std::int64_t layer = 0; layer < metrics.layers; ++layer)
    metrics.layer_widths.push_back(graph.layer_size(layer));
  const auto& layer_of = graph.layer_per_vertex();
  metrics.edge_spans.assign(metrics.layers > 0 ? static_cast<std::size_t>(metrics.layers) : 1, 0);
  for (VertexId v = 0; v < n; ++v) {
    for (VertexId target : graph.out_neighbors(v)) {
      auto span = layer_of[static_cast<std::size_t>(target)] - layer_of[static_cast<std::size_t>(v)];
      ++metrics.edge_spans[static_cast<std::size_t>(span)];
      if (span > 1) ++metrics.skip_edges;
    }
  }
  // drop the empty tail so the list ends with the longest span that occurs
  while (metrics.edge_spans.size() > 1 && metrics.edge_spans.back() == 0) metrics.edge_spans.pop_back();
  metrics.weak_components = weak_component_count(graph);

  if (!options.clustering && !options.path_length) return metrics;
  const detail::Skeleton skeleton(graph);  // built once for both measures
  if (options.clustering) {
    metrics.has_clustering = true;
    metrics.clustering_samples = options.clustering_samples;
    metrics.average_clustering =
        options.clustering_samples > 0
            ? detail::sampled_clustering(skeleton, options.clustering_samples, options.seed, options.progress)
            : detail::exact_clustering(skeleton, options.progress);
  }
  if (options.path_length) {
    metrics.has_path_length = true;
    metrics.path_length =
        detail::path_length(skeleton, options.path_samples, options.seed, options.threads, options.progress);
  }
  return metrics;
}

std::vector<std::pair<std::string, double>> GraphMetrics::flatten() const {
  auto number = [](auto value) { return static_cast<double>(value); };
  std::vector<std::pair<std::string, double>> flat{
      {"vertices", number(vertices)},
      {"edges", number(edges)},
      {"density", density},
      {"in_degree_min", number(in_degree.min)},
      {"in_degree_mean", in_degree.mean},
      {"in_degree_max", number(in_degree.max)},
      {"out_degree_min", number(out_degree.min)},
      {"out_degree_mean", out_degree.mean},
      {"out_degree_max", number(out_degree.max)},
      {"sources", number(sources)},
      {"sinks", number(sinks)},
      {"layers", number(layers)},
      {"skip_edges", number(skip_edges)},
      {"weak_components", number(weak_components)},
  };
  for (std::size_t layer = 0; layer < layer_widths.size(); ++layer) {
    flat.emplace_back("layer_width_" + std::to_string(layer), number(layer_widths[layer]));
  }
  for (std::size_t span = 1; span < edge_spans.size(); ++span) {
    flat.emplace_back("edge_span_" + std::to_string(span), number(edge_spans[span]));
  }
  if (has_clustering) {
    flat.emplace_back("average_clustering", average_clustering);
    flat.emplace_back("clustering_samples", number(clustering_samples));
  }
  if (has_path_length) {
    flat.emplace_back("average_shortest_path_length", path_length.average);
    flat.emplace_back("path_length_sources", number(path_length.sources));
    flat.emplace_back("path_length_exact", path_length.exact ? 1.0 : 0.0);
    flat.emplace_back("path_length_unreachable_pairs", number(path_length.unreachable_pairs));
    flat.emplace_back("path_length_samples", number(path_length.exact ? 0 : path_length.sources));
  }
  return flat;
}

std::string GraphMetrics::to_json(int indent) const {
  nlohmann::json json{{"vertices", vertices},
                      {"edges", edges},
                      {"density", density},
                      {"in_degree", degree_json(in_degree)},
                      {"out_degree", degree_json(out_degree)},
                      {"sources", sources},
                      {"sinks", sinks},
                      {"layers", layers},
                      {"layer_widths", layer_widths},
                      {"skip_edges", skip_edges},
                      {"weak_components", weak_components}};
  // span -> count as an object, so the keys say what the numbers are
  json["edge_spans"] = nlohmann::json::object();
  for (std::size_t span = 1; span < edge_spans.size(); ++span)
    json["edge_spans"][std::to_string(span)] = edge_spans[span];
  if (has_clustering) {
    json["average_clustering"] = average_clustering;
    json["clustering_samples"] = clustering_samples;
  }
  if (has_path_length) {
    json["average_shortest_path_length"] = {{"value", path_length.average},
                                            {"sources", path_length.sources},
                                            {"exact", path_length.exact},
                                            {"samples", path_length.exact ? 0 : path_length.sources},
                                            {"unreachable_pairs", path_length.unreachable_pairs}};
  }
  return json.dump(indent);
}

}  // namespace structlab::graph
