#include "structlab/prune/layer_density.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "structlab/error.hpp"

namespace structlab::prune {
namespace {

double size_of(const std::vector<std::int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), 1.0,
                         [](double product, std::int64_t dimension) { return product * static_cast<double>(dimension); });
}

// The unnormalised density of a layer: (sum of the dimensions it counts) / (their product).
double raw_density(const std::vector<std::int64_t>& shape, DensityDistribution distribution) {
  if (distribution == DensityDistribution::uniform) return 1.0;
  // erdos_renyi counts the two matrix dimensions only; erk counts kernel dimensions too
  const std::size_t counted = distribution == DensityDistribution::erdos_renyi ? 2 : shape.size();
  double sum = 0.0, product = 1.0;
  for (std::size_t i = 0; i < counted; ++i) {
    sum += static_cast<double>(shape[i]);
    product *= static_cast<double>(shape[i]);
  }
  return sum / product;
}

}  // namespace

const char* to_string(DensityDistribution distribution) {
  switch (distribution) {
    case DensityDistribution::uniform: return "uniform";
    case DensityDistribution::erdos_renyi: return "erdos_renyi";
    case DensityDistribution::erk: return "erk";
  }
  return "?";
}

DensityDistribution parse_density_distribution(const std::string& name) {
  for (auto distribution : {DensityDistribution::uniform, DensityDistribution::erdos_renyi, DensityDistribution::erk}) {
    if (name == to_string(distribution)) return distribution;
  }
  throw ConfigError(fmt::format(
      "pruning.schedule.distribution: unknown distribution '{}'; expected uniform, erdos_renyi or erk", name));
}

std::vector<double> layer_densities(const std::vector<std::vector<std::int64_t>>& shapes, double density,
                                    DensityDistribution distribution) {
  if (!(density > 0.0 && density <= 1.0)) {
    throw ConfigError(fmt::format("density {} is outside (0, 1]", density));
  }
  for (const auto& shape : shapes) {
    if (shape.size() < 2) throw ConfigError("layer_densities: a layer shape needs at least [out, in]");
  }
  std::vector<bool> dense(shapes.size(), false);
  std::vector<double> raw(shapes.size());
  for (std::size_t l = 0; l < shapes.size(); ++l) raw[l] = raw_density(shapes[l], distribution);
  double eps = 0.0;
  for (;;) {
    // active weights to place in the sparse layers = the budget minus what the dense layers take beyond it
    double budget = 0.0, weighted = 0.0;
    for (std::size_t l = 0; l < shapes.size(); ++l) {
      const double size = size_of(shapes[l]);
      if (dense[l]) {
        budget -= (1.0 - density) * size;
      } else {
        budget += density * size;
        weighted += raw[l] * size;
      }
    }
    if (weighted <= 0.0) break;
    eps = budget / weighted;
    double highest = 0.0;
    for (std::size_t l = 0; l < shapes.size(); ++l) {
      if (!dense[l]) highest = std::max(highest, raw[l]);
    }
    if (eps * highest <= 1.0) break;
    for (std::size_t l = 0; l < shapes.size(); ++l) {
      if (!dense[l] && raw[l] == highest) dense[l] = true;
    }
  }
  std::vector<double> densities(shapes.size());
  for (std::size_t l = 0; l < shapes.size(); ++l) densities[l] = dense[l] ? 1.0 : std::min(1.0, eps * raw[l]);
  return densities;
}

std::vector<std::int64_t> layer_active_counts(const std::vector<std::vector<std::int64_t>>& shapes, double density,
                                              DensityDistribution distribution) {
  const std::vector<double> densities = layer_densities(shapes, density, distribution);
  std::vector<std::int64_t> counts(shapes.size());
  for (std::size_t l = 0; l < shapes.size(); ++l) {
    const double size = size_of(shapes[l]);
    counts[l] = std::clamp<std::int64_t>(std::llround(densities[l] * size), size > 0 ? 1 : 0,
                                         static_cast<std::int64_t>(size));
  }
  return counts;
}

}  // namespace structlab::prune
