// DAGs on given layers: random_layered and complete_layered.

#include <numeric>

#include "graph/random/checks.hpp"
#include "graph/random/geometric_skip.hpp"
#include "structlab/graph/random_graphs.hpp"

namespace structlab::graph {
namespace {

// First vertex id of each layer, plus the total at the end.
std::vector<std::int64_t> layer_offsets(const char* model, const std::vector<std::int64_t>& widths) {
  if (widths.empty()) throw GraphError(std::string(model) + ": widths must list at least one layer");
  std::vector<std::int64_t> offsets{0};
  for (std::size_t layer = 0; layer < widths.size(); ++layer) {
    if (widths[layer] < 1) {
      throw GraphError(std::string(model) + ": widths[" + std::to_string(layer) +
                       "] must be at least 1, got " + std::to_string(widths[layer]));
    }
    offsets.push_back(offsets.back() + widths[layer]);
  }
  return offsets;
}

// Gives every vertex after layer 0 an input from the previous layer and every vertex before the last
// layer an output to the next one, each from/to a uniform vertex there, where sampling left it without.
void connect_neighbouring_layers(const std::vector<std::int64_t>& widths,
                                 const std::vector<std::int64_t>& offsets, EdgeListGraph& graph, Rng& rng) {
  const auto n = static_cast<std::size_t>(graph.num_vertices);
  std::vector<std::int64_t> layer_of(n);
  for (std::size_t layer = 0; layer < widths.size(); ++layer) {
    for (auto v = offsets[layer]; v < offsets[layer + 1]; ++v)
      layer_of[static_cast<std::size_t>(v)] = static_cast<std::int64_t>(layer);
  }
  std::vector<bool> has_input(n, false);
  std::vector<bool> has_output(n, false);
  auto mark = [&](const Edge& edge) {
    if (layer_of[static_cast<std::size_t>(edge.target)] !=
        layer_of[static_cast<std::size_t>(edge.source)] + 1)
      return;
    has_input[static_cast<std::size_t>(edge.target)] = true;
    has_output[static_cast<std::size_t>(edge.source)] = true;
  };
  for (const Edge& edge : graph.edges) mark(edge);
  auto uniform_in_layer = [&](std::size_t layer) {
    return offsets[layer] + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(widths[layer])));
  };
  for (std::size_t layer = 1; layer < widths.size(); ++layer) {
    for (auto v = offsets[layer]; v < offsets[layer + 1]; ++v) {
      if (has_input[static_cast<std::size_t>(v)]) continue;
      graph.edges.push_back({uniform_in_layer(layer - 1), v});
      mark(graph.edges.back());
    }
  }
  for (std::size_t layer = 0; layer + 1 < widths.size(); ++layer) {
    for (auto v = offsets[layer]; v < offsets[layer + 1]; ++v) {
      if (has_output[static_cast<std::size_t>(v)]) continue;
      graph.edges.push_back({v, uniform_in_layer(layer + 1)});
      mark(graph.edges.back());
    }
  }
}

}  // namespace

EdgeListGraph random_layered(const RandomLayeredOptions& options, Rng& rng) {
  std::vector<std::int64_t> offsets = layer_offsets("random_layered", options.widths);
  detail::require_probability("random_layered", "next_probability", options.next_probability);
  detail::require_probability("random_layered", "skip_probability", options.skip_probability);
  const auto& widths = options.widths;
  double expected_edges = 0.0;
  for (std::size_t from = 0; from < widths.size(); ++from) {
    for (std::size_t to = from + 1; to < widths.size(); ++to) {
      double p = to == from + 1 ? options.next_probability : options.skip_probability;
      expected_edges += p * static_cast<double>(widths[from]) * static_cast<double>(widths[to]);
    }
  }
  detail::require_fits("random_layered", "these widths and probabilities", static_cast<double>(offsets.back()),
                       expected_edges);
  EdgeListGraph graph{offsets.back(), {}, true};
  for (std::size_t from = 0; from < widths.size(); ++from) {
    for (std::size_t to = from + 1; to < widths.size(); ++to) {
      double p = to == from + 1 ? options.next_probability : options.skip_probability;
      // trial t of this layer pair is the edge (t / width_to, t % width_to) within the two layers
      detail::for_each_success(widths[from] * widths[to], p, rng, [&](std::int64_t t) {
        graph.edges.push_back({offsets[from] + t / widths[to], offsets[to] + t % widths[to]});
      });
    }
  }
  if (options.keep_layers) connect_neighbouring_layers(widths, offsets, graph, rng);
  return graph;
}

EdgeListGraph complete_layered(const std::vector<std::int64_t>& widths) {
  std::vector<std::int64_t> offsets = layer_offsets("complete_layered", widths);
  double edges = 0.0;
  for (std::size_t layer = 0; layer + 1 < widths.size(); ++layer)
    edges += static_cast<double>(widths[layer]) * static_cast<double>(widths[layer + 1]);
  detail::require_fits("complete_layered", "these widths", static_cast<double>(offsets.back()), edges);
  EdgeListGraph graph{offsets.back(), {}, true};
  for (std::size_t layer = 0; layer + 1 < widths.size(); ++layer) {
    for (auto u = offsets[layer]; u < offsets[layer + 1]; ++u) {
      for (auto v = offsets[layer + 1]; v < offsets[layer + 2]; ++v) graph.edges.push_back({u, v});
    }
  }
  return graph;
}

}  // namespace structlab::graph
