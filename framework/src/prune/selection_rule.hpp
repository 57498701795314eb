#pragma once
// Private to the selection: candidates, their deterministic order, and how many a rule removes.

#include <cstdint>
#include <vector>

#include "structlab/prune/options.hpp"

namespace structlab::prune {

/// One prunable entry: a weight (group = masked layer position, index = row-major index) or a unit
/// (group = structure layer, index = row).
struct Candidate {
  double score = 0.0;      ///< lower goes first
  std::int64_t group = 0;  ///< first tie-breaker
  std::int64_t index = 0;  ///< second tie-breaker
};

/// Entries ranked together: all prunable layers (global) or one layer (per_layer).
struct RankingGroup {
  std::vector<Candidate> candidates;  ///< the active prunable entries
  std::int64_t total = 0;             ///< all prunable entries, active or not (the density denominator)
};

/// How many of \p active entries (out of \p total) \p selection removes; selection must be valid.
std::int64_t entries_to_prune(const SelectionOptions& selection, std::int64_t active, std::int64_t total);

/// The \p count lowest candidates by (score, group, index); count is clamped to [0, size].
std::vector<Candidate> lowest_scored(std::vector<Candidate> candidates, std::int64_t count);

/// The candidates scoring below zero.
std::vector<Candidate> below_zero(std::vector<Candidate> candidates);

}  // namespace structlab::prune
