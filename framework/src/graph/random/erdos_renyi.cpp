// Erdős–Rényi G(n, p) and G(n, m).

#include <cmath>
#include <unordered_set>

#include "graph/random/checks.hpp"
#include "graph/random/geometric_skip.hpp"
#include "structlab/graph/random_graphs.hpp"

namespace structlab::graph {
namespace {

// The pair with index k in the order (0,1), (0,2), (1,2), (0,3), ...: pairs with larger vertex v start at
// v(v-1)/2.
Edge pair_of_index(std::int64_t k) {
  auto v = static_cast<std::int64_t>((1.0 + std::sqrt(1.0 + 8.0 * static_cast<double>(k))) / 2.0);
  // the square root is inexact for large k: step to the right triangle number
  while (v * (v - 1) / 2 > k) --v;
  while ((v + 1) * v / 2 <= k) ++v;
  return {k - v * (v - 1) / 2, v};
}

// Largest n whose pair count n(n-1)/2 still fits comfortably in 63 bits.
constexpr std::int64_t max_vertices_for_pairs = 3'000'000'000;

}  // namespace

EdgeListGraph erdos_renyi_gnp(std::int64_t n, double p, Rng& rng) {
  detail::require(n >= 0 && n <= max_vertices_for_pairs, "erdos_renyi", "n", "in 0..3e9", n);
  detail::require_probability("erdos_renyi", "p", p);
  double expected = p * static_cast<double>(n) * static_cast<double>(n - 1) / 2.0;
  detail::require_fits("erdos_renyi", "n = " + std::to_string(n) + ", p = " + detail::shown(p),
                       static_cast<double>(n), expected);
  EdgeListGraph graph{n, {}, false};
  graph.edges.reserve(static_cast<std::size_t>(expected + 4.0 * std::sqrt(expected) + 16.0));
  detail::for_each_success(n * (n - 1) / 2, p, rng,
                           [&](std::int64_t k) { graph.edges.push_back(pair_of_index(k)); });
  return graph;
}

EdgeListGraph erdos_renyi_gnm(std::int64_t n, std::int64_t m, Rng& rng) {
  detail::require(n >= 0 && n <= max_vertices_for_pairs, "erdos_renyi", "n", "in 0..3e9", n);
  const std::int64_t pairs = n * (n - 1) / 2;
  if (m < 0 || m > pairs) {
    throw GraphError("erdos_renyi: m must be in 0.." + std::to_string(pairs) + " (all pairs of " +
                     std::to_string(n) + " vertices), got " + std::to_string(m));
  }
  detail::require_fits("erdos_renyi", "n = " + std::to_string(n) + ", m = " + std::to_string(m),
                       static_cast<double>(n), static_cast<double>(m));
  EdgeListGraph graph{n, {}, false};
  graph.edges.reserve(static_cast<std::size_t>(m));
  // draw whichever of the chosen and the left-out pairs is the smaller set, so rejection stays cheap
  bool draw_missing = m > pairs / 2;
  std::int64_t draws = draw_missing ? pairs - m : m;
  std::unordered_set<std::int64_t> drawn;
  drawn.reserve(static_cast<std::size_t>(draws));
  std::vector<std::int64_t> order;
  order.reserve(static_cast<std::size_t>(draws));
  while (static_cast<std::int64_t>(order.size()) < draws) {
    auto k = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(pairs)));
    if (drawn.insert(k).second) order.push_back(k);
  }
  if (!draw_missing) {
    for (std::int64_t k : order) graph.edges.push_back(pair_of_index(k));
  } else {
    for (std::int64_t k = 0; k < pairs; ++k) {
      if (drawn.count(k) == 0) graph.edges.push_back(pair_of_index(k));
    }
  }
  return graph;
}

}  // namespace structlab::graph
