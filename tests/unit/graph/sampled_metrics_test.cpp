// C and L estimated from seeded samples on big graphs: seeded, close to exact, counted, and fast enough
// to finish on 10^5..10^6-edge graphs; metrics_options_for() keeps small graphs exact.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "structlab/error.hpp"
#include "structlab/graph/metrics.hpp"
#include "structlab/graph/random_graphs.hpp"
#include "structlab/random.hpp"

namespace structlab::graph {
namespace {

// A small world on 2000 vertices: C about 0.5, L about 5, exact values affordable.
LayeredGraph small_world(std::uint64_t seed = 7) {
  Rng rng(seed);
  return LayeredGraph::from_edge_list(watts_strogatz(2000, 10, 0.1, rng), Orientation::index, 0);
}

TEST(ClusteringEstimate, SameSeedSameValueAndSeedsDiffer) {
  LayeredGraph graph = small_world();
  double first = estimate_average_clustering(graph, 2000, 5);
  EXPECT_EQ(estimate_average_clustering(graph, 2000, 5), first);
  std::set<double> estimates;
  for (std::uint64_t seed = 0; seed < 5; ++seed)
    estimates.insert(estimate_average_clustering(graph, 2000, seed));
  EXPECT_GT(estimates.size(), 1U) << "different seeds should draw different wedges";
}

TEST(ClusteringEstimate, IsWithinFourStandardErrorsOfTheExactValue) {
  // 50 000 wedges: standard error at most 0.5 / sqrt(50 000) = 0.0022; the tolerance is 0.01
  LayeredGraph graph = small_world();
  double exact = average_clustering(graph);
  ASSERT_GT(exact, 0.3);
  EXPECT_NEAR(estimate_average_clustering(graph, kClusteringSamples, 1), exact, 0.01);
}

TEST(ClusteringEstimate, IsExactOnGraphsWithoutOrWithOnlyClosedWedges) {
  LayeredGraph layered = LayeredGraph::from_edge_list(complete_layered({5, 6, 4}), Orientation::index, 0);
  EXPECT_EQ(estimate_average_clustering(layered, 1000, 3), 0.0);  // consecutive layers close no triangle
  LayeredGraph triangle(3, {{0, 1}, {0, 2}, {1, 2}});
  EXPECT_EQ(estimate_average_clustering(triangle, 1000, 3), 1.0);
  EXPECT_EQ(estimate_average_clustering(LayeredGraph(), 10, 3), 0.0);
}

TEST(ClusteringEstimate, SamplesMustBePositive) {
  EXPECT_THROW(estimate_average_clustering(small_world(), 0), GraphError);
  EXPECT_THROW(estimate_average_clustering(small_world(), -4), GraphError);
}

TEST(PathLengthEstimate, IsWithinTwoPercentOfTheExactValue) {
  // 64 of 2000 sources; per-source mean distances of a small world vary little around L
  LayeredGraph graph = small_world();
  double exact = average_shortest_path_length(graph, 0, 0, 2).average;
  PathLengthResult estimate = average_shortest_path_length(graph, 64, 9, 2);
  EXPECT_EQ(estimate.sources, 64);
  EXPECT_FALSE(estimate.exact);
  EXPECT_NEAR(estimate.average, exact, 0.02 * exact);
}

TEST(MetricsMode, NamesParseBackAndUnknownNamesListTheAllowedOnes) {
  for (MetricsMode mode : {MetricsMode::full, MetricsMode::sampled, MetricsMode::none})
    EXPECT_EQ(parse_metrics_mode(to_string(mode)), mode);
  try {
    parse_metrics_mode("some");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "metrics mode 'some' is unknown; expected one of: full, sampled, none");
  }
}

TEST(MetricsOptionsFor, SmallGraphsStayExactInSampledMode) {
  LayeredGraph graph = small_world();
  MetricsOptions sampled = metrics_options_for(graph, MetricsMode::sampled);
  EXPECT_TRUE(sampled.clustering);
  EXPECT_TRUE(sampled.path_length);
  EXPECT_EQ(sampled.clustering_samples, 0);
  EXPECT_EQ(sampled.path_samples, 0);
  GraphMetrics metrics = compute_metrics(graph, sampled);
  // the same numbers as the exact functions always gave
  EXPECT_EQ(metrics.average_clustering, average_clustering(graph));
  EXPECT_EQ(metrics.path_length.average, average_shortest_path_length(graph).average);
  EXPECT_TRUE(metrics.path_length.exact);
  EXPECT_EQ(metrics.clustering_samples, 0);
}

TEST(MetricsOptionsFor, FullIsAlwaysExactAndNoneComputesNeither) {
  LayeredGraph dense = LayeredGraph::from_edge_list(complete_layered({784, 1500, 10}), Orientation::index, 0);
  MetricsOptions full = metrics_options_for(dense, MetricsMode::full);
  EXPECT_TRUE(full.clustering && full.path_length);
  EXPECT_EQ(full.clustering_samples, 0);
  EXPECT_EQ(full.path_samples, 0);
  MetricsOptions none = metrics_options_for(dense, MetricsMode::none);
  EXPECT_FALSE(none.clustering);
  EXPECT_FALSE(none.path_length);
}

TEST(MetricsOptionsFor, BigGraphsAreSampled) {
  // 784-1500-10: C's exact work (sum of squared degrees, ~3.5e9) and L's (n (n + 2E) ~ 1e10) are far
  // above the thresholds
  LayeredGraph dense = LayeredGraph::from_edge_list(complete_layered({784, 1500, 10}), Orientation::index, 0);
  MetricsOptions options = metrics_options_for(dense, MetricsMode::sampled);
  EXPECT_EQ(options.clustering_samples, kClusteringSamples);
  EXPECT_EQ(options.path_samples, kPathSamples);
  // a sparse 10^5-vertex ring lattice: C is cheap and stays exact, L is sampled
  Rng rng(2);
  LayeredGraph sparse =
      LayeredGraph::from_edge_list(watts_strogatz(100'000, 4, 0.0, rng), Orientation::index, 0);
  options = metrics_options_for(sparse, MetricsMode::sampled);
  EXPECT_EQ(options.clustering_samples, 0);
  EXPECT_EQ(options.path_samples, kPathSamples);
}

TEST(SampledMetrics, AreSeededAndCountTheirSamples) {
  Rng rng(3);
  LayeredGraph graph =
      LayeredGraph::from_edge_list(newman_watts_strogatz(100'000, 6, 0.1, rng), Orientation::index, 0);
  MetricsOptions options = metrics_options_for(graph, MetricsMode::sampled);
  ASSERT_GT(options.path_samples, 0) << "10^5 vertices: L is sampled";
  options.clustering_samples = 20'000;  // C would be exact (cheap); force an estimate to check its count
  GraphMetrics first = compute_metrics(graph, options);
  options.threads = 2;
  GraphMetrics second = compute_metrics(graph, options);
  EXPECT_EQ(first.average_clustering, second.average_clustering);
  EXPECT_EQ(first.path_length.average, second.path_length.average);
  EXPECT_EQ(first.clustering_samples, 20'000);
  EXPECT_EQ(first.path_length.sources, options.path_samples);
  EXPECT_FALSE(first.path_length.exact);
  const auto pairs = first.flatten();
  std::map<std::string, double> flat(pairs.begin(), pairs.end());
  EXPECT_EQ(flat.at("clustering_samples"), 20'000.0);
  EXPECT_EQ(flat.at("path_length_samples"), static_cast<double>(options.path_samples));
}

// L of a chain of complete bipartite layers: layers i and j are |i - j| apart, two vertices of one layer 2.
double layered_chain_path_length(const std::vector<std::int64_t>& widths) {
  double distance_sum = 0.0;
  double pairs = 0.0;
  for (std::size_t i = 0; i < widths.size(); ++i) {
    for (std::size_t j = 0; j < widths.size(); ++j) {
      double count = static_cast<double>(widths[i]) * static_cast<double>(i == j ? widths[j] - 1 : widths[j]);
      distance_sum += count * (i == j ? 2.0 : std::fabs(static_cast<double>(i) - static_cast<double>(j)));
      pairs += count;
    }
  }
  return distance_sum / pairs;
}

TEST(SampledMetrics, FinishOnTheDenseFfnStructure) {
  // the structure whose exact metrics took hours: a dense 784-1500-1500-1500-10 FFN, 5.6e6 edges
  const std::vector<std::int64_t> widths{784, 1500, 1500, 1500, 10};
  LayeredGraph dense = LayeredGraph::from_edge_list(complete_layered(widths), Orientation::index, 0);
  GraphMetrics metrics = compute_metrics(dense, metrics_options_for(dense, MetricsMode::sampled));
  EXPECT_EQ(metrics.edges, 784 * 1500 + 1500 * 1500 * 2 + 1500 * 10);
  EXPECT_EQ(metrics.average_clustering, 0.0);  // no wedge of a chain of bipartite layers is closed
  EXPECT_EQ(metrics.clustering_samples, kClusteringSamples);
  EXPECT_FALSE(metrics.path_length.exact);
  // per-source means range from 1.43 (a middle layer) to 2.0 (the input layer): with 256 sources the
  // standard error is ~0.013, the tolerance 0.05
  EXPECT_NEAR(metrics.path_length.average, layered_chain_path_length(widths), 0.05);
}

TEST(SampledMetrics, FinishOnAGraphOfHundredsOfThousandsOfVertices) {
  // G(n, m) with n = 3e5, m = 9e5 (the README's 10^6-vertex example takes a few seconds; the bench
  // measures it)
  Rng rng(11);
  LayeredGraph sparse =
      LayeredGraph::from_edge_list(erdos_renyi_gnm(300'000, 900'000, rng), Orientation::index, 0);
  GraphMetrics metrics = compute_metrics(sparse, metrics_options_for(sparse, MetricsMode::sampled));
  EXPECT_FALSE(metrics.path_length.exact);
  EXPECT_EQ(metrics.path_length.sources, kPathSamplesOnBigGraphs);
  EXPECT_GT(metrics.path_length.average, 6.5);  // about ln(n) / ln(6) = 7.0
  EXPECT_LT(metrics.path_length.average, 8.0);
  EXPECT_LT(metrics.average_clustering, 1e-3);  // G(n, m) with mean degree 6: C ~ 6 / n
}

TEST(MetricsProgress, ReportsStartAndEndOfEachMeasureOnTheCallingThread) {
  LayeredGraph graph = small_world();
  MetricsOptions options = metrics_options_for(graph, MetricsMode::sampled);
  options.path_samples = 40;
  options.threads = 3;
  std::vector<MetricsProgress> reports;
  std::set<std::thread::id> reporting_threads;
  options.progress = [&](const MetricsProgress& progress) {
    reports.push_back(progress);
    reporting_threads.insert(std::this_thread::get_id());
  };
  compute_metrics(graph, options);
  EXPECT_EQ(reporting_threads, std::set<std::thread::id>{std::this_thread::get_id()});
  ASSERT_GE(reports.size(), 4U);
  EXPECT_EQ(std::string(reports.front().metric), "clustering");
  EXPECT_EQ(reports.front().done, 0);
  EXPECT_EQ(reports.front().total, 2000);
  EXPECT_EQ(std::string(reports.back().metric), "path length");
  EXPECT_EQ(std::string(reports.back().unit), "sampled sources");
  EXPECT_EQ(reports.back().done, 40);
  EXPECT_EQ(reports.back().total, 40);
  for (std::size_t i = 1; i < reports.size(); ++i) {
    if (std::string(reports[i].metric) == reports[i - 1].metric) {
      EXPECT_GE(reports[i].done, reports[i - 1].done) << "counts only go up";
    }
  }
}

}  // namespace
}  // namespace structlab::graph
