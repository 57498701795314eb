// How a target density is spread over layers: uniform, Erdős–Rényi (SET) and ERK (RigL), checked against the
// formulas by hand.

#include "structlab/prune/layer_density.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "structlab/error.hpp"

namespace structlab::prune {
namespace {

using Shapes = std::vector<std::vector<std::int64_t>>;

// LeNet-300-100: 784 -> 300 -> 100 -> 10, weights stored [out, in]
const Shapes kLeNet = {{300, 784}, {100, 300}, {10, 100}};

double active_total(const Shapes& shapes, const std::vector<double>& densities) {
  double total = 0.0;
  for (std::size_t l = 0; l < shapes.size(); ++l) total += densities[l] * double(shapes[l][0] * shapes[l][1]);
  return total;
}

TEST(LayerDensity, UniformGivesEveryLayerTheTarget) {
  for (double density : layer_densities(kLeNet, 0.1, DensityDistribution::uniform)) EXPECT_DOUBLE_EQ(density, 0.1);
}

TEST(LayerDensity, ErdosRenyiFollowsTheFormulaAndKeepsTheBudget) {
  const auto densities = layer_densities(kLeNet, 0.01, DensityDistribution::erdos_renyi);
  // eps * (n_in + n_out) / (n_in * n_out) with eps = 0.01 * 266200 / (1084 + 400 + 110)
  const double eps = 0.01 * 266200 / 1594.0;
  EXPECT_NEAR(densities[0], eps * 1084.0 / 235200.0, 1e-12);
  EXPECT_NEAR(densities[1], eps * 400.0 / 30000.0, 1e-12);
  EXPECT_NEAR(densities[2], eps * 110.0 / 1000.0, 1e-12);
  EXPECT_NEAR(active_total(kLeNet, densities), 0.01 * 266200, 1e-6);
  EXPECT_LT(densities[0], densities[1]);
  EXPECT_LT(densities[1], densities[2]);
}

TEST(LayerDensity, ALayerThatWouldPassOneIsDenseAndTheRestTakeTheBudget) {
  // at density 0.1 the 10x100 layer's density would be 16.7 * 0.11 = 1.84: it becomes dense, and eps is
  // solved again for the other two with what is left: (0.1 * 265200 - 0.9 * 1000) / (1084 + 400)
  const auto densities = layer_densities(kLeNet, 0.1, DensityDistribution::erdos_renyi);
  EXPECT_DOUBLE_EQ(densities[2], 1.0);
  const double eps = (0.1 * 265200 - 0.9 * 1000) / 1484.0;
  EXPECT_NEAR(densities[0], eps * 1084.0 / 235200.0, 1e-12);
  EXPECT_NEAR(densities[1], eps * 400.0 / 30000.0, 1e-12);
  EXPECT_NEAR(active_total(kLeNet, densities), 0.1 * 266200, 1e-6);
  // at 0.5 the 100x300 layer follows it (eps * 400 / 30000 = 1.19), and the first layer takes the rest
  const auto half = layer_densities(kLeNet, 0.5, DensityDistribution::erdos_renyi);
  EXPECT_DOUBLE_EQ(half[1], 1.0);
  EXPECT_DOUBLE_EQ(half[2], 1.0);
  EXPECT_NEAR(active_total(kLeNet, half), 0.5 * 266200, 1e-6);
}

TEST(LayerDensity, ErkCountsKernelDimensionsErdosRenyiDoesNot) {
  const Shapes conv = {{6, 1, 5, 5}, {16, 6, 5, 5}, {10, 256}};
  const auto erk = layer_densities(conv, 0.2, DensityDistribution::erk);
  const auto er = layer_densities(conv, 0.2, DensityDistribution::erdos_renyi);
  // ERK: (6+1+5+5)/150, (16+6+5+5)/2400, (10+256)/2560, none above 1 at 0.2
  EXPECT_NEAR(erk[1] / erk[2], (32.0 / 2400.0) / (266.0 / 2560.0), 1e-12);
  EXPECT_NEAR(erk[0] / erk[2], (17.0 / 150.0) / (266.0 / 2560.0), 1e-12);
  EXPECT_NEAR(active_total({{150, 1}, {2400, 1}, {2560, 1}}, erk), 0.2 * 5110, 1e-6);
  // ER sees the first convolution as 6x1, (6+1)/6: dense; the others keep the ratio of their matrix sizes
  EXPECT_DOUBLE_EQ(er[0], 1.0);
  EXPECT_NEAR(er[1] / er[2], (22.0 / 96.0) / (266.0 / 2560.0), 1e-12);
}

TEST(LayerDensity, LinearLayersGetTheSameFromErkAndErdosRenyi) {
  EXPECT_EQ(layer_densities(kLeNet, 0.05, DensityDistribution::erk),
            layer_densities(kLeNet, 0.05, DensityDistribution::erdos_renyi));
}

TEST(LayerDensity, ActiveCountsRoundAndKeepAtLeastOne) {
  const auto counts = layer_active_counts(kLeNet, 0.1, DensityDistribution::uniform);
  EXPECT_EQ(counts, (std::vector<std::int64_t>{23520, 3000, 100}));
  EXPECT_EQ(layer_active_counts({{1, 3}}, 0.01, DensityDistribution::uniform), (std::vector<std::int64_t>{1}));
}

TEST(LayerDensity, RefusesDensitiesOutsideZeroToOneAndUnknownNames) {
  EXPECT_THROW(layer_densities(kLeNet, 0.0, DensityDistribution::erk), ConfigError);
  EXPECT_THROW(layer_densities(kLeNet, 1.5, DensityDistribution::erk), ConfigError);
  EXPECT_EQ(parse_density_distribution("erk"), DensityDistribution::erk);
  try {
    parse_density_distribution("gaussian");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("expected uniform, erdos_renyi or erk"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace structlab::prune
