#pragma once
/// \file
/// Seeded splitting of a loaded split, shared by the built-in dataset plugins (header-only and internal:
/// not part of the plugin API, so a plugin includes it by relative path).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "structlab/plugin/dataset.hpp"
#include "structlab/random.hpp"

namespace structlab::datasets {

/// The number of samples a \p fraction of \p total gives, rounded to the nearest integer. Throws nothing.
inline std::int64_t count_of_fraction(std::int64_t total, double fraction) {
  return static_cast<std::int64_t>(std::llround(static_cast<double>(total) * fraction));
}

/// The samples of \p split at \p indices, in that order. Throws c10::Error for an index out of range.
inline plugin::DataSplit rows_of(const plugin::DataSplit& split, const std::vector<std::int64_t>& indices) {
  auto index = torch::tensor(indices, torch::kInt64);
  return {split.inputs.index_select(0, index), split.targets.index_select(0, index)};
}

/// Moves \p count samples chosen by \p rng out of \p from and returns them; the remaining samples stay in
/// \p from. Both parts keep the original relative order, so only the choice depends on the seed.
/// \p count must lie in [0, from.size()]; 0 returns an empty split and leaves \p from untouched.
/// Throws nothing beyond torch's own errors.
inline plugin::DataSplit take_random_samples(plugin::DataSplit& from, std::int64_t count, Rng& rng) {
  if (count <= 0) return {};
  std::vector<std::int64_t> order = rng.permutation(from.size());
  std::vector<std::int64_t> taken(order.begin(), order.begin() + count);
  std::vector<std::int64_t> kept(order.begin() + count, order.end());
  std::sort(taken.begin(), taken.end());
  std::sort(kept.begin(), kept.end());
  plugin::DataSplit out = rows_of(from, taken);
  from = rows_of(from, kept);
  return out;
}

}  // namespace structlab::datasets
