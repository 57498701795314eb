// The ring-lattice family: Watts–Strogatz, Newman–Watts–Strogatz and WS-flex.

#include <cmath>

#include "graph/random/adjacency_sets.hpp"
#include "graph/random/checks.hpp"
#include "structlab/graph/random_graphs.hpp"

namespace structlab::graph {
namespace {

void check_ring(const char* model, std::int64_t n, std::int64_t k, double p) {
  detail::require(n >= 1, model, "n", "at least 1", n);
  detail::require(k % 2 == 0, model, "k", "even (k/2 neighbours on each side)", k);
  detail::require(k >= 0 && k < n, model, "k", ("in 0..n-1 = 0.." + std::to_string(n - 1)).c_str(), k);
  detail::require_probability(model, "p", p);
  // the rewired or added shortcuts at most double the ring's n * k / 2 edges
  detail::require_fits(model, "n = " + std::to_string(n) + ", k = " + std::to_string(k),
                       static_cast<double>(n), static_cast<double>(n) * static_cast<double>(k));
}

// A uniform vertex other than u and not yet adjacent to u, drawn as networkx does (redraw until it
// fits); nullopt-like -1 when u is already adjacent to everything and the edge has to stay.
VertexId draw_new_neighbor(const detail::AdjacencySets& graph, std::int64_t n, VertexId u, Rng& rng) {
  while (true) {
    if (graph.degree(u) >= n - 1) return -1;
    auto w = static_cast<VertexId>(rng.below(static_cast<std::uint64_t>(n)));
    if (w != u && !graph.has_edge(u, w)) return w;
  }
}

// Ring edges (u, u + j mod n) for j = 1..half, in the order the models visit them: j outer, u inner.
template <typename Visit>
void for_each_ring_edge(std::int64_t n, std::int64_t half, Visit visit) {
  for (std::int64_t j = 1; j <= half; ++j) {
    for (VertexId u = 0; u < n; ++u) visit(u, (u + j) % n);
  }
}

}  // namespace

EdgeListGraph watts_strogatz(std::int64_t n, std::int64_t k, double p, Rng& rng) {
  check_ring("watts_strogatz", n, k, p);
  detail::AdjacencySets graph(n, k + 2);
  for_each_ring_edge(n, k / 2, [&](VertexId u, VertexId v) { graph.add_edge(u, v); });
  for_each_ring_edge(n, k / 2, [&](VertexId u, VertexId v) {
    if (!rng.bernoulli(p)) return;
    VertexId w = draw_new_neighbor(graph, n, u, rng);
    if (w < 0) return;
    graph.remove_edge(u, v);
    graph.add_edge(u, w);
  });
  return {n, graph.edges(), false};
}

EdgeListGraph newman_watts_strogatz(std::int64_t n, std::int64_t k, double p, Rng& rng) {
  check_ring("newman_watts_strogatz", n, k, p);
  detail::AdjacencySets graph(n,
                              k + 2 * static_cast<std::int64_t>(std::ceil(p * static_cast<double>(k))) + 2);
  for_each_ring_edge(n, k / 2, [&](VertexId u, VertexId v) { graph.add_edge(u, v); });
  for_each_ring_edge(n, k / 2, [&](VertexId u, VertexId /*v*/) {
    if (!rng.bernoulli(p)) return;
    VertexId w = draw_new_neighbor(graph, n, u, rng);
    if (w >= 0) graph.add_edge(u, w);
  });
  return {n, graph.edges(), false};
}

EdgeListGraph ws_flex(std::int64_t n, double average_degree, double p, Rng& rng) {
  detail::require(n >= 3, "ws_flex", "n", "at least 3", n);
  detail::require(average_degree >= 2.0 && average_degree <= static_cast<double>(n - 1), "ws_flex",
                  "average_degree", ("in [2, n-1] = [2, " + std::to_string(n - 1) + "]").c_str(),
                  average_degree);
  detail::require_probability("ws_flex", "p", p);
  detail::require_fits("ws_flex", "n = " + std::to_string(n) + ", average_degree = " + detail::shown(average_degree),
                       static_cast<double>(n), average_degree * static_cast<double>(n));
  // round half to even like Python's round(), as graph2nn computes the edge count
  auto edge_count = static_cast<std::int64_t>(std::nearbyint(average_degree * static_cast<double>(n) / 2.0));
  // vertex i links to its next count(i) ring neighbours; the first edge_count % n vertices take one more
  auto count = [&](VertexId i) { return edge_count / n + (i < edge_count % n ? 1 : 0); };
  detail::AdjacencySets graph(n, static_cast<std::int64_t>(std::ceil(average_degree)) + 2);
  for (VertexId u = 0; u < n; ++u) {
    for (std::int64_t j = 1; j <= count(u); ++j) {
      VertexId v = (u + j) % n;
      if (!graph.has_edge(u, v)) graph.add_edge(u, v);
    }
  }
  for (VertexId u = 0; u < n; ++u) {
    for (std::int64_t j = 1; j <= count(u); ++j) {
      if (!rng.bernoulli(p)) continue;
      VertexId w = draw_new_neighbor(graph, n, u, rng);
      if (w < 0) continue;
      if (graph.remove_edge(u, (u + j) % n)) graph.add_edge(u, w);
    }
  }
  return {n, graph.edges(), false};
}

}  // namespace structlab::graph
