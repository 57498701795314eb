// Graph metrics against values computed by hand.

#include "structlab/graph/metrics.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "structlab/error.hpp"

namespace structlab::graph {
namespace {

LayeredGraph ring(std::int64_t n) {
  EdgeListGraph graph{n, {}, false};
  for (VertexId v = 0; v < n; ++v) graph.edges.push_back({v, (v + 1) % n});
  return LayeredGraph::from_edge_list(graph, Orientation::index, 0);
}

TEST(Clustering, TriangleIsOneAndStarIsZero) {
  EXPECT_DOUBLE_EQ(average_clustering(LayeredGraph(3, {{0, 1}, {0, 2}, {1, 2}})), 1.0);
  EXPECT_DOUBLE_EQ(average_clustering(LayeredGraph(4, {{0, 1}, {0, 2}, {0, 3}})), 0.0);
  EXPECT_DOUBLE_EQ(average_clustering(LayeredGraph()), 0.0);
}

TEST(Clustering, SquareWithDiagonal) {
  // corners 0 and 2 see 2 of their 3 neighbour pairs linked, corners 1 and 3 see their only pair linked
  LayeredGraph graph(4, {{0, 1}, {1, 2}, {2, 3}, {0, 3}, {0, 2}});
  EXPECT_NEAR(average_clustering(graph), (2.0 / 3 + 1 + 2.0 / 3 + 1) / 4, 1e-12);
}

TEST(PathLength, PathGraphByHand) {
  // distances on 0-1-2-3: 1,2,3,1,2,1 -> 10 / 6
  PathLengthResult result = average_shortest_path_length(LayeredGraph(4, {{0, 1}, {1, 2}, {2, 3}}));
  EXPECT_NEAR(result.average, 10.0 / 6.0, 1e-12);
  EXPECT_TRUE(result.exact);
  EXPECT_EQ(result.sources, 4);
  EXPECT_EQ(result.unreachable_pairs, 0);
}

TEST(PathLength, RingIsIndependentOfThreadCount) {
  // each vertex of an even ring sees distances 1,1,2,2,...,n/2: the sum is (n/2)^2
  for (int threads : {1, 2, 5}) {
    PathLengthResult result = average_shortest_path_length(ring(100), 0, 0, threads);
    EXPECT_NEAR(result.average, 2500.0 / 99.0, 1e-12) << threads << " threads";
  }
}

TEST(PathLength, SampledSourcesAreSeededAndExactWhenCoveringAllVertices) {
  LayeredGraph graph(6, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}});
  PathLengthResult a = average_shortest_path_length(graph, 2, 42, 1);
  PathLengthResult b = average_shortest_path_length(graph, 2, 42, 2);
  EXPECT_EQ(a.sources, 2);
  EXPECT_FALSE(a.exact);
  EXPECT_DOUBLE_EQ(a.average, b.average);
  std::set<double> estimates;
  for (std::uint64_t seed = 0; seed < 20; ++seed)
    estimates.insert(average_shortest_path_length(graph, 1, seed).average);
  EXPECT_GT(estimates.size(), 1U) << "different seeds should pick different sources";
  PathLengthResult all = average_shortest_path_length(graph, 6, 42);
  PathLengthResult more = average_shortest_path_length(graph, 60, 42);
  EXPECT_TRUE(all.exact);
  EXPECT_DOUBLE_EQ(all.average, average_shortest_path_length(graph).average);
  EXPECT_DOUBLE_EQ(more.average, all.average);
}

TEST(PathLength, DisconnectedPairsAreLeftOutAndCounted) {
  // two separate edges: every reached pair is at distance 1; each vertex misses the 2 of the other edge
  PathLengthResult result = average_shortest_path_length(LayeredGraph(4, {{0, 1}, {2, 3}}));
  EXPECT_DOUBLE_EQ(result.average, 1.0);
  EXPECT_EQ(result.unreachable_pairs, 8);
}

TEST(PathLength, NegativeSamplesOrThreadsAreGraphErrors) {
  EXPECT_THROW(average_shortest_path_length(ring(4), -1), GraphError);
  EXPECT_THROW(average_shortest_path_length(ring(4), 0, 0, -3), GraphError);
}

TEST(Metrics, CountsOfADiamondWithASkipEdge) {
  // diamond 0 -> {1, 2} -> 3, plus the skip edge 0 -> 3 and an isolated vertex 4
  LayeredGraph graph(5, {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {0, 3}});
  GraphMetrics metrics = compute_metrics(graph);
  EXPECT_EQ(metrics.vertices, 5);
  EXPECT_EQ(metrics.edges, 5);
  EXPECT_DOUBLE_EQ(metrics.density, 5.0 / 20.0);
  EXPECT_EQ(metrics.in_degree.min, 0);
  EXPECT_DOUBLE_EQ(metrics.in_degree.mean, 1.0);
  EXPECT_EQ(metrics.in_degree.max, 3);
  EXPECT_EQ(metrics.out_degree.max, 3);
  EXPECT_EQ(metrics.sources, 2);
  EXPECT_EQ(metrics.sinks, 2);
  EXPECT_EQ(metrics.layers, 3);
  EXPECT_EQ(metrics.layer_widths, (std::vector<std::int64_t>{2, 2, 1}));
  EXPECT_EQ(metrics.edge_spans, (std::vector<std::int64_t>{0, 4, 1}));
  EXPECT_EQ(metrics.skip_edges, 1);
  EXPECT_EQ(metrics.weak_components, 2);
  EXPECT_TRUE(metrics.has_clustering);
  EXPECT_TRUE(metrics.has_path_length);
  EXPECT_EQ(metrics.path_length.unreachable_pairs, 8);  // the isolated vertex and the other four, both ways
}

TEST(Metrics, CostlyMeasuresCanBeSkipped) {
  MetricsOptions options;
  options.clustering = false;
  options.path_length = false;
  GraphMetrics metrics = compute_metrics(ring(10), options);
  EXPECT_FALSE(metrics.has_clustering);
  EXPECT_FALSE(metrics.has_path_length);
  for (const auto& [name, value] : metrics.flatten()) {
    EXPECT_EQ(name.find("clustering"), std::string::npos);
    EXPECT_EQ(name.find("path_length"), std::string::npos);
  }
}

TEST(Metrics, CyclicGraphIsAGraphError) {
  EXPECT_THROW(compute_metrics(LayeredGraph(2, {{0, 1}, {1, 0}})), GraphError);
}

TEST(Metrics, FlattenNamesEveryNumber) {
  GraphMetrics metrics = compute_metrics(LayeredGraph(3, {{0, 1}, {1, 2}, {0, 2}}));
  std::map<std::string, double> flat;
  for (const auto& [name, value] : metrics.flatten()) flat[name] = value;
  EXPECT_EQ(flat.at("vertices"), 3);
  EXPECT_EQ(flat.at("layer_width_2"), 1);
  EXPECT_EQ(flat.at("edge_span_1"), 2);
  EXPECT_EQ(flat.at("edge_span_2"), 1);
  EXPECT_EQ(flat.at("average_clustering"), 1.0);
  EXPECT_EQ(flat.at("average_shortest_path_length"), 1.0);
  EXPECT_EQ(flat.at("path_length_exact"), 1.0);
  EXPECT_EQ(flat.count("edge_span_0"), 0U);
}

TEST(Metrics, JsonHasNestedSummaries) {
  auto json = nlohmann::json::parse(compute_metrics(LayeredGraph(3, {{0, 1}, {1, 2}, {0, 2}})).to_json());
  EXPECT_EQ(json["vertices"], 3);
  EXPECT_EQ(json["in_degree"]["max"], 2);
  EXPECT_EQ(json["layer_widths"], nlohmann::json::array({1, 1, 1}));
  EXPECT_EQ(json["edge_spans"]["2"], 1);
  EXPECT_EQ(json["average_shortest_path_length"]["exact"], true);
  EXPECT_DOUBLE_EQ(json["average_clustering"].get<double>(), 1.0);
}

}  // namespace
}  // namespace structlab::graph
