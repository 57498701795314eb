#pragma once
// What the pruners made for the at_init schedule share (header-only, for the built-in pruner plugins): the
// `rounds` parameter, the number of prune -> re-score rounds at initialisation.

#include <cstdint>
#include <string>

#include "structlab/params.hpp"
#include "structlab/plugin/pruner.hpp"

namespace structlab::plugins {

/// The `rounds` parameter with \p default_rounds, as a plugin declares it in info().
inline ParamSpec rounds_param(std::int64_t default_rounds) {
  return optional_param("rounds", default_rounds,
                        "at_init schedule: prune -> re-score rounds, densities d_0 * (target / d_0)^(k/rounds)");
}

/// The validated `rounds` of \p params; Params::fail (a ConfigError naming the key) when it is below 1.
inline std::int64_t rounds_of(const Params& params) {
  const std::int64_t rounds = params.get_int("rounds");
  if (rounds < 1) params.fail("rounds", "expected an integer >= 1, got " + std::to_string(rounds));
  return rounds;
}

/// A strategy that scores weights, ranked over all prunable layers together, pruning at initialisation in
/// the rounds its `rounds` parameter gives: what snip, grasp and synflow share.
class RoundsWeightPruner : public plugin::PruningStrategy {
 public:
  /// Reads and checks `rounds` from \p params.
  explicit RoundsWeightPruner(const Params& params) : rounds_(rounds_of(params)) {}
  /// One score per weight.
  plugin::PruningGranularity granularity() const override { return plugin::PruningGranularity::weight; }
  /// One ranking across all prunable layers.
  plugin::SelectionScope scope() const override { return plugin::SelectionScope::global; }
  /// The `rounds` parameter.
  std::int64_t rounds_at_init() const override { return rounds_; }

 private:
  std::int64_t rounds_;
};

}  // namespace structlab::plugins
