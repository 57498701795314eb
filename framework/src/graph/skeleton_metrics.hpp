#pragma once
// C and L on an already built Skeleton, so compute_metrics() builds it once for both (private to the graph
// code).

#include <cstdint>
#include <functional>

#include "graph/skeleton.hpp"
#include "structlab/graph/metrics.hpp"

namespace structlab::graph::detail {

/// Receives progress reports; may be empty.
using ProgressSink = std::function<void(const MetricsProgress&)>;

/// Exact average clustering of \p skeleton (see graph::average_clustering).
double exact_clustering(const Skeleton& skeleton, const ProgressSink& progress);

/// Wedge-sampled average clustering of \p skeleton (see graph::estimate_average_clustering); \p samples > 0.
double sampled_clustering(const Skeleton& skeleton, std::int64_t samples, std::uint64_t seed,
                          const ProgressSink& progress);

/// Average shortest path length of \p skeleton (see graph::average_shortest_path_length); \p samples and
/// \p threads are already checked to be >= 0.
PathLengthResult path_length(const Skeleton& skeleton, std::int64_t samples, std::uint64_t seed, int threads,
                             const ProgressSink& progress);

/// Calls \p progress when it is set.
inline void report(const ProgressSink& progress, const char* metric, const char* unit, std::int64_t done,
                   std::int64_t total) {
  if (progress) progress(MetricsProgress{metric, unit, done, total});
}

}  // namespace structlab::graph::detail
