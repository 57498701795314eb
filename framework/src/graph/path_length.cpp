// The two small-world measures on the undirected skeleton: clustering C and average path length L.

#include <algorithm>
#include <atomic>
#include <thread>

#include "graph/skeleton.hpp"
#include "structlab/error.hpp"
#include "structlab/graph/metrics.hpp"
#include "structlab/random.hpp"

namespace structlab::graph {
namespace {

// Distance sums of BFS runs from a list of sources; each worker owns one of these.
struct BfsTotals {
  std::int64_t distance_sum = 0;
  std::int64_t reached_pairs = 0;
};

BfsTotals bfs_from_sources(const detail::Skeleton& skeleton, const std::vector<VertexId>& sources,
                           std::atomic<std::size_t>& next_source) {
  const auto n = static_cast<std::size_t>(skeleton.size());
  BfsTotals totals;
  std::vector<std::int32_t> distance(n, -1);
  std::vector<VertexId> queue(n);
  for (std::size_t i = next_source++; i < sources.size(); i = next_source++) {
    VertexId source = sources[i];
    std::size_t head = 0;
    std::size_t tail = 0;
    queue[tail++] = source;
    distance[static_cast<std::size_t>(source)] = 0;
    while (head < tail) {
      VertexId v = queue[head++];
      std::int32_t next_distance = distance[static_cast<std::size_t>(v)] + 1;
      auto begin = skeleton.offsets[static_cast<std::size_t>(v)];
      auto end = skeleton.offsets[static_cast<std::size_t>(v) + 1];
      for (auto k = begin; k < end; ++k) {
        auto u = static_cast<std::size_t>(skeleton.neighbors[static_cast<std::size_t>(k)]);
        if (distance[u] < 0) {
          distance[u] = next_distance;
          totals.distance_sum += next_distance;
          queue[tail++] = static_cast<VertexId>(u);
        }
      }
    }
    totals.reached_pairs += static_cast<std::int64_t>(tail) - 1;
    // reset only what this BFS touched, so a source costs O(its component), not O(n)
    for (std::size_t k = 0; k < tail; ++k) distance[static_cast<std::size_t>(queue[k])] = -1;
  }
  return totals;
}

std::vector<VertexId> choose_sources(std::int64_t n, std::int64_t samples, std::uint64_t seed) {
  std::vector<VertexId> all(static_cast<std::size_t>(n));
  for (VertexId v = 0; v < n; ++v) all[static_cast<std::size_t>(v)] = v;
  if (samples == 0 || samples >= n) return all;
  // partial Fisher-Yates: the first `samples` slots become a uniform sample without repeats
  Rng rng(Rng::derive(seed, "path-length-sources"));
  for (std::int64_t i = 0; i < samples; ++i) {
    auto j = i + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(n - i)));
    std::swap(all[static_cast<std::size_t>(i)], all[static_cast<std::size_t>(j)]);
  }
  all.resize(static_cast<std::size_t>(samples));
  return all;
}

}  // namespace

double average_clustering(const LayeredGraph& graph) {
  detail::Skeleton skeleton(graph);
  const std::int64_t n = skeleton.size();
  if (n == 0) return 0.0;
  // marked[u] == v + 1 says u is a neighbour of v; stamping avoids clearing the array per vertex
  std::vector<VertexId> marked(static_cast<std::size_t>(n), 0);
  double sum = 0.0;
  for (VertexId v = 0; v < n; ++v) {
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
  return sum / static_cast<double>(n);
}

PathLengthResult average_shortest_path_length(const LayeredGraph& graph, std::int64_t samples,
                                              std::uint64_t seed, int threads) {
  if (samples < 0)
    throw GraphError("path length: samples must be 0 (all vertices) or positive, got " +
                     std::to_string(samples));
  if (threads < 0)
    throw GraphError("path length: threads must be 0 (all cores) or positive, got " +
                     std::to_string(threads));
  detail::Skeleton skeleton(graph);
  const std::int64_t n = skeleton.size();
  std::vector<VertexId> sources = choose_sources(n, samples, seed);
  PathLengthResult result;
  result.sources = static_cast<std::int64_t>(sources.size());
  result.exact = result.sources == n;
  if (sources.empty()) return result;

  std::size_t workers =
      threads > 0 ? static_cast<std::size_t>(threads) : std::max(1U, std::thread::hardware_concurrency());
  workers = std::min(workers, sources.size());
  std::atomic<std::size_t> next_source{0};
  std::vector<BfsTotals> totals(workers);
  std::vector<std::thread> pool;
  for (std::size_t w = 1; w < workers; ++w) {
    pool.emplace_back([&, w] { totals[w] = bfs_from_sources(skeleton, sources, next_source); });
  }
  totals[0] = bfs_from_sources(skeleton, sources, next_source);
  for (auto& thread : pool) thread.join();

  // integer sums make the result independent of how sources were spread over threads
  BfsTotals all;
  for (const auto& part : totals) {
    all.distance_sum += part.distance_sum;
    all.reached_pairs += part.reached_pairs;
  }
  result.unreachable_pairs = result.sources * (n - 1) - all.reached_pairs;
  if (all.reached_pairs > 0)
    result.average = static_cast<double>(all.distance_sum) / static_cast<double>(all.reached_pairs);
  return result;
}

}  // namespace structlab::graph
