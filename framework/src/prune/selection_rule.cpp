#include "prune/selection_rule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "structlab/error.hpp"
#include "structlab/prune/selection.hpp"

namespace structlab::prune {
namespace {

bool ranks_lower(const Candidate& a, const Candidate& b) {
  return std::tie(a.score, a.group, a.index) < std::tie(b.score, b.group, b.index);
}

// Round to nearest: 0.2 * 100 is 20.000000000000004 in binary, and ceil() would make it 21.
std::int64_t nearest(double value) { return static_cast<std::int64_t>(std::llround(value)); }

}  // namespace

void validate_selection(const SelectionOptions& selection) {
  const double amount = selection.amount;
  if (selection.rule == SelectionRule::n_m) {
    if (!(selection.pattern_n >= 1 && selection.pattern_m >= 1 && selection.pattern_n <= selection.pattern_m)) {
      throw ConfigError(fmt::format("pruning.selection.pattern: expected \"N:M\" with 1 <= N <= M (e.g. \"2:4\"), "
                                    "got {}:{}",
                                    selection.pattern_n, selection.pattern_m));
    }
    if (selection.granularity != MaskGranularity::weight) {
      throw ConfigError(
          fmt::format("pruning.selection.granularity: the n_m rule keeps N of every M consecutive "
                      "weights, so it needs granularity weight, not {}",
                      to_string(selection.granularity)));
    }
  } else if (selection.rule == SelectionRule::count) {
    if (!(std::isfinite(amount) && amount >= 0.0 && amount == std::floor(amount))) {
      throw ConfigError(fmt::format(
          "pruning.selection.amount: the count rule needs a whole number of entries (0 or more), got {}",
          amount));
    }
  } else if (!(amount >= 0.0 && amount <= 1.0)) {
    throw ConfigError(fmt::format("pruning.selection.amount: the {} rule needs a value in [0, 1], got {}",
                                  to_string(selection.rule), amount));
  }
}

std::int64_t entries_to_prune(const SelectionOptions& selection, std::int64_t active, std::int64_t total) {
  // n_m ranks each block of M weights on its own: all but its N best go
  if (selection.rule == SelectionRule::n_m) return std::max<std::int64_t>(0, active - selection.pattern_n);
  if (selection.rule == SelectionRule::fraction) return nearest(selection.amount * static_cast<double>(active));
  if (selection.rule == SelectionRule::count) return std::min(active, static_cast<std::int64_t>(selection.amount));
  const std::int64_t keep = nearest(selection.amount * static_cast<double>(total));
  return std::max<std::int64_t>(0, active - keep);
}

std::vector<Candidate> lowest_scored(std::vector<Candidate> candidates, std::int64_t count) {
  const auto size = static_cast<std::int64_t>(candidates.size());
  count = std::clamp<std::int64_t>(count, 0, size);
  // (group, index) is unique, so the order is total and the chosen set does not depend on the algorithm
  std::nth_element(candidates.begin(), candidates.begin() + count, candidates.end(), ranks_lower);
  candidates.resize(static_cast<std::size_t>(count));
  return candidates;
}

std::vector<Candidate> below_zero(std::vector<Candidate> candidates) {
  candidates.erase(std::remove_if(candidates.begin(), candidates.end(),
                                  [](const Candidate& c) { return !(c.score < 0.0); }),
                   candidates.end());
  return candidates;
}

}  // namespace structlab::prune
