// The average shortest path length L on the undirected skeleton: BFS from every vertex, or from seeded
// sampled sources.

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>

#include "graph/skeleton_metrics.hpp"
#include "structlab/error.hpp"
#include "structlab/random.hpp"

namespace structlab::graph {
namespace detail {
namespace {

constexpr const char* kMetric = "path length";

// Distance sums of BFS runs from a list of sources; each worker owns one of these.
struct BfsTotals {
  std::int64_t distance_sum = 0;
  std::int64_t reached_pairs = 0;
};

// Sources go in batches of up to 256, one bit each: a multi-source BFS (Then et al., "The More the Merrier",
// VLDB 2014) walks the graph once for the whole batch, and a vertex is expanded once per distinct distance
// at which batch sources reach it, instead of once per source. On small-world graphs that is a handful of
// times per batch; on a long ring it falls back to the cost of separate BFS runs. A vertex's `seen` and
// `next` bits share one cache line, so pushing to a neighbour costs one memory access. Batches of 64 (one
// word per vertex) keep the working set small where there are few sources.
constexpr std::size_t kMaxWords = 4;

// One bit per source of a batch of 64 * Words.
template <std::size_t Words>
struct SourceBits {
  std::uint64_t words[Words] = {};

  bool any() const {
    std::uint64_t all = 0;
    for (std::uint64_t word : words) all |= word;
    return all != 0;
  }
  void clear() {
    for (std::uint64_t& word : words) word = 0;
  }
};

// What the batch knows about one vertex: which sources have reached it and which reach it at the next
// distance.
template <std::size_t Words>
struct alignas(16 * Words) VertexBits {
  SourceBits<Words> seen;
  SourceBits<Words> next;
};

// Where the workers meet: the next batch to take and how many sources are finished.
struct SharedProgress {
  std::atomic<std::size_t> next_batch{0};
  std::atomic<std::int64_t> finished{0};
};

// One worker's state, allocated once and left all-zero after each batch.
template <std::size_t Words>
class MultiSourceBfs {
 public:
  static constexpr std::size_t kBatch = 64 * Words;

  explicit MultiSourceBfs(const Skeleton& skeleton)
      : skeleton_(skeleton),
        bits_(static_cast<std::size_t>(skeleton.size())),
        visit_(static_cast<std::size_t>(skeleton.size())) {}

  // BFS from sources[first, first + count), count <= kBatch; adds to \p totals.
  void run(const std::vector<VertexId>& sources, std::size_t first, std::size_t count, BfsTotals& totals) {
    frontier_.clear();
    touched_.clear();
    for (std::size_t i = 0; i < count; ++i) {
      auto source = static_cast<std::size_t>(sources[first + i]);
      touched_.push_back(static_cast<VertexId>(source));  // sources are distinct
      frontier_.push_back(static_cast<VertexId>(source));
      bits_[source].seen.words[i / 64] |= std::uint64_t{1} << (i % 64);
      visit_[source].words[i / 64] |= std::uint64_t{1} << (i % 64);
    }
    for (std::int64_t distance = 1; !frontier_.empty(); ++distance) {
      next_frontier_.clear();
      for (VertexId v : frontier_) {
        const SourceBits<Words> arriving = visit_[static_cast<std::size_t>(v)];
        auto begin = skeleton_.offsets[static_cast<std::size_t>(v)];
        auto end = skeleton_.offsets[static_cast<std::size_t>(v) + 1];
        for (auto k = begin; k < end; ++k) {
          auto u = static_cast<std::size_t>(skeleton_.neighbors[static_cast<std::size_t>(k)]);
          VertexBits<Words>& target = bits_[u];
          std::int64_t reached = 0;
          bool was_seen = false;
          bool was_queued = false;
          for (std::size_t w = 0; w < Words; ++w) {
            // sources reaching u first at this distance
            const std::uint64_t fresh = arriving.words[w] & ~target.seen.words[w];
            was_seen |= target.seen.words[w] != 0;
            was_queued |= target.next.words[w] != 0;
            target.seen.words[w] |= fresh;
            target.next.words[w] |= fresh;
            reached += __builtin_popcountll(fresh);
          }
          if (reached == 0) continue;
          if (!was_seen) touched_.push_back(static_cast<VertexId>(u));
          if (!was_queued) next_frontier_.push_back(static_cast<VertexId>(u));
          totals.reached_pairs += reached;
          totals.distance_sum += distance * reached;
        }
      }
      for (VertexId v : frontier_) visit_[static_cast<std::size_t>(v)].clear();
      // the next distance's frontier moves its bits out of the shared cache line
      for (VertexId v : next_frontier_) {
        visit_[static_cast<std::size_t>(v)] = bits_[static_cast<std::size_t>(v)].next;
        bits_[static_cast<std::size_t>(v)].next.clear();
      }
      std::swap(frontier_, next_frontier_);
    }
    // clear only what this batch touched, so a batch costs O(its components), not O(n)
    for (VertexId v : touched_) bits_[static_cast<std::size_t>(v)].seen.clear();
  }

 private:
  const Skeleton& skeleton_;
  std::vector<VertexBits<Words>> bits_;   // per vertex: sources that reached it, and at the next distance
  std::vector<SourceBits<Words>> visit_;  // per vertex: sources whose current frontier holds it
  std::vector<VertexId> frontier_;        // vertices with a non-zero visit_
  std::vector<VertexId> next_frontier_;   // vertices with a non-zero bits_.next
  std::vector<VertexId> touched_;         // vertices with a non-zero bits_.seen
};

// The batches this worker takes; `on_batch_done` runs after each with the sources finished so far.
template <std::size_t Words, typename OnBatchDone>
BfsTotals bfs_from_sources(const Skeleton& skeleton, const std::vector<VertexId>& sources,
                           SharedProgress& shared, OnBatchDone on_batch_done) {
  BfsTotals totals;
  MultiSourceBfs<Words> bfs(skeleton);
  constexpr std::size_t kBatch = MultiSourceBfs<Words>::kBatch;
  const std::size_t batches = (sources.size() + kBatch - 1) / kBatch;
  for (std::size_t batch = shared.next_batch++; batch < batches; batch = shared.next_batch++) {
    std::size_t first = batch * kBatch;
    std::size_t count = std::min(kBatch, sources.size() - first);
    bfs.run(sources, first, count, totals);
    on_batch_done(shared.finished += static_cast<std::int64_t>(count));
  }
  return totals;
}

// The batches spread over up to \p workers threads; the calling thread reports progress.
template <std::size_t Words>
BfsTotals spread_over_workers(const Skeleton& skeleton, const std::vector<VertexId>& sources,
                              std::size_t workers, const ProgressSink& progress, const char* unit) {
  constexpr std::size_t kBatch = MultiSourceBfs<Words>::kBatch;
  workers = std::min(workers, (sources.size() + kBatch - 1) / kBatch);
  const auto total = static_cast<std::int64_t>(sources.size());
  SharedProgress shared;
  std::vector<BfsTotals> totals(workers);
  std::vector<std::thread> pool;
  auto silent = [](std::int64_t) {};
  for (std::size_t w = 1; w < workers; ++w) {
    pool.emplace_back([&, w] { totals[w] = bfs_from_sources<Words>(skeleton, sources, shared, silent); });
  }
  // the calling thread reports, so a progress callback never runs on a worker
  totals[0] = bfs_from_sources<Words>(skeleton, sources, shared, [&](std::int64_t finished) {
    if (finished < total) report(progress, kMetric, unit, finished, total);
  });
  for (auto& thread : pool) thread.join();
  // integer sums make the result independent of how sources were spread over threads
  BfsTotals all;
  for (const auto& part : totals) {
    all.distance_sum += part.distance_sum;
    all.reached_pairs += part.reached_pairs;
  }
  return all;
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

PathLengthResult path_length(const Skeleton& skeleton, std::int64_t samples, std::uint64_t seed, int threads,
                             const ProgressSink& progress) {
  const std::int64_t n = skeleton.size();
  std::vector<VertexId> sources = choose_sources(n, samples, seed);
  PathLengthResult result;
  result.sources = static_cast<std::int64_t>(sources.size());
  result.exact = result.sources == n;
  const char* unit = result.exact ? "sources" : "sampled sources";
  report(progress, kMetric, unit, 0, result.sources);
  if (sources.empty()) return result;

  std::size_t workers =
      threads > 0 ? static_cast<std::size_t>(threads) : std::max(1U, std::thread::hardware_concurrency());
  // up to 64 sources: one word per vertex; more: 256-source batches, which share each memory access
  const BfsTotals all = sources.size() <= 64
                            ? spread_over_workers<1>(skeleton, sources, workers, progress, unit)
                            : spread_over_workers<kMaxWords>(skeleton, sources, workers, progress, unit);
  report(progress, kMetric, unit, result.sources, result.sources);

  result.unreachable_pairs = result.sources * (n - 1) - all.reached_pairs;
  if (all.reached_pairs > 0)
    result.average = static_cast<double>(all.distance_sum) / static_cast<double>(all.reached_pairs);
  return result;
}

}  // namespace detail

PathLengthResult average_shortest_path_length(const LayeredGraph& graph, std::int64_t samples,
                                              std::uint64_t seed, int threads) {
  if (samples < 0)
    throw GraphError("path length: samples must be 0 (all vertices) or positive, got " +
                     std::to_string(samples));
  if (threads < 0)
    throw GraphError("path length: threads must be 0 (all cores) or positive, got " +
                     std::to_string(threads));
  return detail::path_length(detail::Skeleton(graph), samples, seed, threads, {});
}

}  // namespace structlab::graph
