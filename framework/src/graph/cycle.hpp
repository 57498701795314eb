#pragma once
// Finding one directed cycle in adjacency lists (private to the graph code).

#include <vector>

#include "structlab/graph/edge_list.hpp"

namespace structlab::graph::detail {

/// The vertices of one directed cycle of the graph given by \p out (out[v] = targets of v), in path
/// order starting anywhere on the cycle; empty when the graph is acyclic. Iterative, O(V+E).
std::vector<VertexId> find_cycle(const std::vector<std::vector<VertexId>>& out);

}  // namespace structlab::graph::detail
