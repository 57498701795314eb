#pragma once
// A mutable undirected simple graph for the rewiring models (private to the graph code): per-vertex
// neighbour vectors, which stay short in sparse small-world graphs, so membership tests scan a few ids.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "structlab/graph/edge_list.hpp"

namespace structlab::graph::detail {

/// Undirected simple graph with O(degree) edge tests, insertions and removals.
class AdjacencySets {
 public:
  /// \p n isolated vertices, each with room for \p expected_degree neighbours.
  AdjacencySets(std::int64_t n, std::int64_t expected_degree) : neighbors_(static_cast<std::size_t>(n)) {
    for (auto& list : neighbors_) list.reserve(static_cast<std::size_t>(expected_degree));
  }

  /// True when u and v are adjacent.
  bool has_edge(VertexId u, VertexId v) const {
    const auto& shorter = degree(u) <= degree(v) ? at(u) : at(v);
    VertexId other = degree(u) <= degree(v) ? v : u;
    return std::find(shorter.begin(), shorter.end(), other) != shorter.end();
  }
  /// Adds the edge u-v; the caller guarantees it is new and not a loop.
  void add_edge(VertexId u, VertexId v) {
    at(u).push_back(v);
    at(v).push_back(u);
  }
  /// Removes the edge u-v; returns false when it did not exist.
  bool remove_edge(VertexId u, VertexId v) { return erase(at(u), v) && erase(at(v), u); }
  /// Degree of v.
  std::int64_t degree(VertexId v) const { return static_cast<std::int64_t>(at(v).size()); }

  /// Every edge once as (smaller id, larger id), by smaller id then insertion order.
  std::vector<Edge> edges() const {
    std::vector<Edge> result;
    for (std::size_t u = 0; u < neighbors_.size(); ++u) {
      for (VertexId v : neighbors_[u]) {
        if (static_cast<VertexId>(u) < v) result.push_back({static_cast<VertexId>(u), v});
      }
    }
    return result;
  }

 private:
  static bool erase(std::vector<VertexId>& list, VertexId v) {
    auto found = std::find(list.begin(), list.end(), v);
    if (found == list.end()) return false;
    *found = list.back();
    list.pop_back();
    return true;
  }
  std::vector<VertexId>& at(VertexId v) { return neighbors_[static_cast<std::size_t>(v)]; }
  const std::vector<VertexId>& at(VertexId v) const { return neighbors_[static_cast<std::size_t>(v)]; }

  std::vector<std::vector<VertexId>> neighbors_;
};

}  // namespace structlab::graph::detail
