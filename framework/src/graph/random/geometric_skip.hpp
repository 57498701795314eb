#pragma once
// Geometric skipping: visiting the successes of `count` Bernoulli(p) trials in O(successes) instead of
// O(count) (Batagelj & Brandes 2005). Private to the graph code.

#include <cmath>
#include <cstdint>

#include "structlab/random.hpp"

namespace structlab::graph::detail {

/// Calls \p visit(t) for each trial t in [0, count) that succeeds with probability \p p, ascending.
template <typename Visit>
void for_each_success(std::int64_t count, double p, Rng& rng, Visit visit) {
  if (p <= 0.0 || count <= 0) return;
  if (p >= 1.0) {
    for (std::int64_t t = 0; t < count; ++t) visit(t);
    return;
  }
  const double log_failure = std::log1p(-p);
  std::int64_t t = -1;
  while (true) {
    // the number of failures before the next success is geometric: floor(log(1 - r) / log(1 - p))
    double failures = std::floor(std::log1p(-rng.uniform()) / log_failure);
    if (failures >= static_cast<double>(count - 1 - t)) return;  // also guards the cast below
    t += 1 + static_cast<std::int64_t>(failures);
    visit(t);
  }
}

}  // namespace structlab::graph::detail
