#pragma once
/// \file
/// What a graph of a given size costs in memory from generation to its layered DAG, so that a generator or
/// a reader can refuse a size it cannot hold before allocating (with a message, not std::bad_alloc).

#include <cstdint>
#include <optional>
#include <string>

namespace structlab::graph {

/// Bytes a graph of \p vertices vertices and \p edges edges takes at its peak, while it is generated, oriented
/// and layered (the edge list, the DAG's edges and adjacency, per-vertex layers and degrees): an estimate of
/// 64 bytes per vertex and 64 per edge. Inputs are doubles so that sizes beyond 2^63 still compare.
double graph_bytes_estimate(double vertices, double edges);

/// Why a graph of this size cannot be built on this machine, or nothing when it fits (see memory_limit.hpp):
/// "a graph of 1000000 vertices and 2.5e+11 edges needs about 32.0 TB of memory; this machine has 16.0 GB".
std::optional<std::string> graph_size_refusal(double vertices, double edges);

}  // namespace structlab::graph
