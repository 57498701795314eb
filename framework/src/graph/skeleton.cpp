#include "graph/skeleton.hpp"

#include <algorithm>
#include <iterator>

namespace structlab::graph::detail {

Skeleton::Skeleton(const LayeredGraph& graph) {
  const std::int64_t n = graph.num_vertices();
  offsets.resize(static_cast<std::size_t>(n) + 1, 0);
  neighbors.reserve(static_cast<std::size_t>(2 * graph.num_edges()));
  for (VertexId v = 0; v < n; ++v) {
    const auto& in = graph.in_neighbors(v);
    const auto& out = graph.out_neighbors(v);
    auto begin = neighbors.size();
    // both lists are sorted; a graph with u -> v and v -> u (a 2-cycle) would repeat a neighbour
    std::merge(in.begin(), in.end(), out.begin(), out.end(), std::back_inserter(neighbors));
    neighbors.erase(std::unique(neighbors.begin() + static_cast<std::ptrdiff_t>(begin), neighbors.end()),
                    neighbors.end());
    offsets[static_cast<std::size_t>(v) + 1] = static_cast<std::int64_t>(neighbors.size());
  }
}

}  // namespace structlab::graph::detail
