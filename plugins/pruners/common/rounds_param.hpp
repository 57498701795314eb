#pragma once
// What the pruners made for the at_init schedule share (header-only, for the built-in pruner plugins): the
// `rounds` parameter, the number of prune -> re-score rounds at initialisation.

#include <cstdint>
#include <string>

#include "structlab/params.hpp"

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

}  // namespace structlab::plugins
