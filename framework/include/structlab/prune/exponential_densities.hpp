#pragma once
/// \file
/// The densities of iterative pruning at initialisation (SynFlow, Tanaka et al. 2020): round k of R prunes to
/// d_k = d_0 * (target / d_0)^(k/R), so every round removes the same fraction of what is left.

#include <cstdint>
#include <vector>

namespace structlab::prune {

/// The density after each of \p rounds rounds, from \p start (the density before the first round, in (0, 1])
/// to \p target (in (0, 1]): d_k = start * (target / start)^(k / rounds) for k = 1 … rounds; the last is exactly
/// \p target. With start = 1 it is target^(k/rounds). When \p target >= \p start every round's density is
/// \p target (nothing to prune). Throws ConfigError naming `pruning.rounds` when \p rounds < 1, and naming
/// `pruning.schedule.density` when a density is outside (0, 1].
std::vector<double> exponential_densities(double start, double target, std::int64_t rounds);

}  // namespace structlab::prune
