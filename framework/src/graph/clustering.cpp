// The average clustering coefficient C on the undirected skeleton: exact, or estimated from sampled wedges.

#include <algorithm>
#include <string>

#include "graph/skeleton_metrics.hpp"
#include "structlab/error.hpp"
#include "structlab/random.hpp"

namespace structlab::graph {
namespace detail {
namespace {

constexpr const char* kMetric = "clustering";
// vertices between two progress reports of the exact count
constexpr VertexId kProgressStride = 4096;

// True when u and w are neighbours: a binary search in the shorter of the two sorted lists.
bool linked(const Skeleton& skeleton, VertexId u, VertexId w) {
  if (skeleton.degree(u) > skeleton.degree(w)) std::swap(u, w);
  auto first = skeleton.neighbors.begin() + skeleton.offsets[static_cast<std::size_t>(u)];
  auto last = skeleton.neighbors.begin() + skeleton.offsets[static_cast<std::size_t>(u) + 1];
  return std::binary_search(first, last, w);
}

}  // namespace

double exact_clustering(const Skeleton& skeleton, const ProgressSink& progress) {
  const std::int64_t n = skeleton.size();
  report(progress, kMetric, "vertices", 0, n);
  if (n == 0) return 0.0;
  // marked[u] == v + 1 says u is a neighbour of v; stamping avoids clearing the array per vertex
  std::vector<VertexId> marked(static_cast<std::size_t>(n), 0);
  double sum = 0.0;
  for (VertexId v = 0; v < n; ++v) {
    if (v % kProgressStride == 0 && v > 0) report(progress, kMetric, "vertices", v, n);
    std::int64_t degree = skeleton.degree(v);
    if (degree < 2) continue;
    auto begin = skeleton.offsets[static_cast<std::size_t>(v)];
    auto end = skeleton.offsets[static_cast<std::size_t>(v) + 1];
    for (auto k = begin; k < end; ++k)
      marked[static_cast<std::size_t>(skeleton.neighbors[static_cast<std::size_t>(k)])] = v + 1;
    std::int64_t linked_pairs = 0;  // each triangle through v is seen from both of its other corners
    for (auto k = begin; k < end; ++k) {
      auto u = static_cast<std::size_t>(skeleton.neighbors[static_cast<std::size_t>(k)]);
      for (auto m = skeleton.offsets[u]; m < skeleton.offsets[u + 1]; ++m) {
        if (marked[static_cast<std::size_t>(skeleton.neighbors[static_cast<std::size_t>(m)])] == v + 1)
          ++linked_pairs;
      }
    }
    sum += static_cast<double>(linked_pairs) / static_cast<double>(degree * (degree - 1));
  }
  report(progress, kMetric, "vertices", n, n);
  return sum / static_cast<double>(n);
}

double sampled_clustering(const Skeleton& skeleton, std::int64_t samples, std::uint64_t seed,
                          const ProgressSink& progress) {
  const std::int64_t n = skeleton.size();
  if (n == 0) {
    report(progress, kMetric, "sampled wedges", 0, 0);  // nothing to sample: one report, started and done
    return 0.0;
  }
  report(progress, kMetric, "sampled wedges", 0, samples);
  Rng rng(Rng::derive(seed, "clustering-wedges"));
  std::int64_t closed = 0;
  for (std::int64_t i = 0; i < samples; ++i) {
    auto v = static_cast<VertexId>(rng.below(static_cast<std::uint64_t>(n)));
    std::int64_t degree = skeleton.degree(v);
    // a vertex without a pair of neighbours has C(v) = 0: its draw counts as an open wedge
    if (degree < 2) continue;
    // two distinct neighbours: the second index skips over the first
    auto first = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(degree)));
    auto second = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(degree - 1)));
    if (second >= first) ++second;
    auto base = skeleton.offsets[static_cast<std::size_t>(v)];
    if (linked(skeleton, skeleton.neighbors[static_cast<std::size_t>(base + first)],
               skeleton.neighbors[static_cast<std::size_t>(base + second)]))
      ++closed;
  }
  report(progress, kMetric, "sampled wedges", samples, samples);
  return static_cast<double>(closed) / static_cast<double>(samples);
}

}  // namespace detail

double average_clustering(const LayeredGraph& graph) {
  return detail::exact_clustering(detail::Skeleton(graph), {});
}

double estimate_average_clustering(const LayeredGraph& graph, std::int64_t samples, std::uint64_t seed) {
  if (samples <= 0)
    throw GraphError("clustering estimate: samples must be positive, got " + std::to_string(samples));
  return detail::sampled_clustering(detail::Skeleton(graph), samples, seed, {});
}

}  // namespace structlab::graph
