#pragma once
/// \file
/// The plain vertex-count + edge-list form of a graph that generators produce and files hold.

#include <cstdint>
#include <vector>

namespace structlab::graph {

/// Vertex identifier: vertices of a graph with n vertices are 0..n-1.
using VertexId = std::int64_t;

/// One edge; for directed graphs it points from source to target.
struct Edge {
  VertexId source = 0;  ///< tail
  VertexId target = 0;  ///< head

  /// Equal when both ends are equal.
  bool operator==(const Edge& other) const { return source == other.source && target == other.target; }
  /// Lexicographic order (source, then target).
  bool operator<(const Edge& other) const {
    return source < other.source || (source == other.source && target < other.target);
  }
};

/// A graph as generators produce it: a vertex count and edges, directed or undirected.
struct EdgeListGraph {
  std::int64_t num_vertices = 0;  ///< vertices are 0..num_vertices-1
  std::vector<Edge> edges;        ///< each undirected edge appears once
  bool directed = false;          ///< false: edges have no direction yet and need an Orientation
};

}  // namespace structlab::graph
