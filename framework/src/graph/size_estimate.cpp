#include "structlab/graph/size_estimate.hpp"

#include <fmt/format.h>

#include "structlab/memory_limit.hpp"

namespace structlab::graph {
namespace {

// Counted (not measured) along generator → Orientation → LayeredGraph: each edge is held as the generator's
// Edge (16 bytes), the DAG's edge and both adjacency entries; each vertex as its layer, degrees and list heads.
constexpr double kBytesPerEdge = 64.0;
constexpr double kBytesPerVertex = 64.0;

std::string count_text(double count) {
  return count < 1e12 ? fmt::format("{:.0f}", count) : fmt::format("{:.2g}", count);
}

}  // namespace

double graph_bytes_estimate(double vertices, double edges) {
  return kBytesPerVertex * vertices + kBytesPerEdge * edges;
}

std::optional<std::string> graph_size_refusal(double vertices, double edges) {
  return memory_refusal(graph_bytes_estimate(vertices, edges),
                        fmt::format("a graph of {} vertices and {} edges", count_text(vertices), count_text(edges)));
}

}  // namespace structlab::graph
