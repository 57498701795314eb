#pragma once
/// \file
/// How a sparse network's density is spread over its layers (`pruning.schedule.distribution`), for networks
/// that start sparse: dynamic sparse training (SET, RigL) and static random sparse baselines.
///
///   uniform      every layer gets the target density;
///   erdos_renyi  density_l = eps * (n_in + n_out) / (n_in * n_out)      (Mocanu et al. 2018, SET);
///   erk          density_l = eps * (sum of all dimensions) / (product)   (Evci et al. 2020, RigL: kernel
///                dimensions count too; for linear layers it equals erdos_renyi).
/// eps is chosen so that the active weights add up to round(density * all weights) of the layers. A layer
/// whose density would exceed 1 is made dense and eps is solved again for the rest (as RigL's code does).

#include <cstdint>
#include <string>
#include <vector>

namespace structlab::prune {

/// The ways to spread a density over layers.
enum class DensityDistribution { uniform, erdos_renyi, erk };

/// "uniform", "erdos_renyi" or "erk".
const char* to_string(DensityDistribution distribution);

/// The distribution named \p name; throws ConfigError naming `pruning.schedule.distribution` and the choices.
DensityDistribution parse_density_distribution(const std::string& name);

/// The density of each layer (shapes: [out, in] or [out, in, kernel...]) for an overall \p density in (0, 1].
/// Throws ConfigError when \p density is outside (0, 1] or a shape is empty.
std::vector<double> layer_densities(const std::vector<std::vector<std::int64_t>>& shapes, double density,
                                    DensityDistribution distribution);

/// The number of active weights each layer gets: round(density_l * size_l), at least 1 in a layer with weights.
std::vector<std::int64_t> layer_active_counts(const std::vector<std::vector<std::int64_t>>& shapes, double density,
                                              DensityDistribution distribution);

}  // namespace structlab::prune
