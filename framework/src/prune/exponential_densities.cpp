#include "structlab/prune/exponential_densities.hpp"

#include <fmt/format.h>

#include <cmath>

#include "structlab/error.hpp"

namespace structlab::prune {

std::vector<double> exponential_densities(double start, double target, std::int64_t rounds) {
  if (rounds < 1) {
    throw ConfigError(fmt::format("pruning.rounds: expected an integer >= 1 (rounds of pruning at "
                                  "initialisation), got {}",
                                  rounds));
  }
  const auto in_unit_interval = [](double density) { return std::isfinite(density) && density > 0.0 && density <= 1.0; };
  if (!in_unit_interval(target)) {
    throw ConfigError(fmt::format("pruning.schedule.density: expected a density in (0, 1], got {}", target));
  }
  if (!in_unit_interval(start)) {
    throw ConfigError(
        fmt::format("pruning.schedule.density: the network's density before pruning must be in (0, 1], got {}", start));
  }
  std::vector<double> densities(static_cast<std::size_t>(rounds), target);
  if (target >= start) return densities;
  const double ratio = target / start;
  // the last round hits the target exactly, whatever pow's rounding does to ratio^1
  for (std::int64_t k = 1; k < rounds; ++k) {
    densities[static_cast<std::size_t>(k - 1)] =
        start * std::pow(ratio, static_cast<double>(k) / static_cast<double>(rounds));
  }
  return densities;
}

}  // namespace structlab::prune
