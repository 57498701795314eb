#pragma once
// The undirected skeleton of a LayeredGraph in compressed form (private to the graph code).

#include <cstdint>
#include <vector>

#include "structlab/graph/layered_graph.hpp"

namespace structlab::graph::detail {

/// Neighbours of every vertex with edge directions dropped, as one array: the neighbours of v are
/// neighbors[offsets[v] .. offsets[v+1]), ascending and without repeats. Contiguous storage keeps the
/// many BFS passes of the path-length metric cache-friendly.
struct Skeleton {
  std::vector<std::int64_t> offsets;  ///< n + 1 entries
  std::vector<VertexId> neighbors;    ///< 2 E entries

  /// The skeleton of \p graph.
  explicit Skeleton(const LayeredGraph& graph);
  /// Number of vertices.
  std::int64_t size() const { return static_cast<std::int64_t>(offsets.size()) - 1; }
  /// Degree of \p v in the skeleton.
  std::int64_t degree(VertexId v) const {
    return offsets[static_cast<std::size_t>(v) + 1] - offsets[static_cast<std::size_t>(v)];
  }
};

}  // namespace structlab::graph::detail
