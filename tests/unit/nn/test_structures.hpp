#pragma once
// Small structures for the model tests.

#include <string>
#include <utility>

#include "structlab/graph/layered_graph.hpp"
#include "structlab/random.hpp"

namespace structlab::nn::testing {

/// Layers {0, 1} -> {2} -> {3, 5} -> {4}: skips 0->3 (layer 0 -> 2) and 1->4 (layer 0 -> 3); 5 is a sink
/// below the last layer.
inline graph::LayeredGraph small_dag() {
  return graph::LayeredGraph(6, {{0, 2}, {1, 2}, {2, 3}, {2, 5}, {0, 3}, {3, 4}, {1, 4}});
}

/// A random DAG on \p n vertices: each pair u < v is an edge with probability \p p.
inline graph::LayeredGraph random_dag(std::int64_t n, double p, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<graph::Edge> edges;
  for (std::int64_t u = 0; u < n; ++u) {
    for (std::int64_t v = u + 1; v < n; ++v) {
      if (rng.bernoulli(p)) edges.push_back({u, v});
    }
  }
  return graph::LayeredGraph(n, edges);
}

/// Runs \p f and returns the message of what it throws ("(nothing thrown)" otherwise).
template <typename F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "(nothing thrown)";
}

}  // namespace structlab::nn::testing
