// The structure metrics a run archives: the names archives always had plus the sample counts, exact on
// small graphs, nothing for `none`.

#include "structlab/graph/archive_metrics.hpp"

#include <gtest/gtest.h>

#include <set>

#include "structlab/graph/random_graphs.hpp"
#include "structlab/random.hpp"

namespace structlab::graph {
namespace {

std::set<std::string> names_of(const std::map<std::string, double>& metrics) {
  std::set<std::string> names;
  for (const auto& entry : metrics) names.insert(entry.first);
  return names;
}

TEST(ArchiveMetrics, KeepTheArchivedNamesAndAddTheSampleCounts) {
  // diamond 0 -> {1, 2} -> 3 with the skip edge 0 -> 3: three layers, spans 1 and 2
  LayeredGraph graph(4, {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {0, 3}});
  std::set<std::string> expected{"vertices", "edges", "density", "in_degree_min", "in_degree_mean",
                                 "in_degree_max", "out_degree_min", "out_degree_mean", "out_degree_max",
                                 "sources", "sinks", "layers", "skip_edges", "weak_components",
                                 "layer_width_0", "layer_width_1", "layer_width_2", "edge_span_1",
                                 "edge_span_2", "average_clustering", "average_shortest_path_length",
                                 "path_length_sources", "path_length_exact", "path_length_unreachable_pairs",
                                 // new with sampled metrics; 0 = exact
                                 "clustering_samples", "path_length_samples"};
  for (MetricsMode mode : {MetricsMode::full, MetricsMode::sampled}) {
    std::map<std::string, double> metrics = archive_metrics(graph, mode);
    EXPECT_EQ(names_of(metrics), expected) << to_string(mode);
    EXPECT_EQ(metrics.at("clustering_samples"), 0.0);
    EXPECT_EQ(metrics.at("path_length_samples"), 0.0);
    EXPECT_EQ(metrics.at("path_length_exact"), 1.0);
  }
}

TEST(ArchiveMetrics, SmallStructuresGetTheExactValuesInSampledMode) {
  Rng rng(5);
  LayeredGraph graph =
      LayeredGraph::from_edge_list(newman_watts_strogatz(1000, 6, 0.2, rng), Orientation::index, 0);
  std::map<std::string, double> sampled = archive_metrics(graph, MetricsMode::sampled);
  EXPECT_EQ(sampled, archive_metrics(graph, MetricsMode::full));
  EXPECT_EQ(sampled.at("average_clustering"), average_clustering(graph));
  EXPECT_EQ(sampled.at("average_shortest_path_length"), average_shortest_path_length(graph).average);
}

TEST(ArchiveMetrics, BigStructuresRecordHowManySamples) {
  LayeredGraph dense = LayeredGraph::from_edge_list(complete_layered({784, 1500, 10}), Orientation::index, 0);
  std::map<std::string, double> metrics = archive_metrics(dense, MetricsMode::sampled);
  EXPECT_EQ(metrics.at("clustering_samples"), static_cast<double>(kClusteringSamples));
  EXPECT_EQ(metrics.at("path_length_samples"), static_cast<double>(kPathSamples));
  EXPECT_EQ(metrics.at("path_length_samples"), metrics.at("path_length_sources"));
  EXPECT_EQ(metrics.at("path_length_exact"), 0.0);
  EXPECT_EQ(metrics, archive_metrics(dense, MetricsMode::sampled)) << "seeded: the same values every time";
}

TEST(ArchiveMetrics, NoneIsEmpty) {
  EXPECT_TRUE(archive_metrics(LayeredGraph(3, {{0, 1}, {1, 2}}), MetricsMode::none).empty());
}

}  // namespace
}  // namespace structlab::graph
