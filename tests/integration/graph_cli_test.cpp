// `structlab graph` as a user runs it: metrics table and JSON, files written, usage and input errors.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "structlab/graph/io.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

using testing::run_structlab;

TEST(GraphCli, PrintsTheMetricsTable) {
  auto result = run_structlab("graph watts_strogatz n=20 k=4 p=0");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("vertices                     20"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("edges                        40"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("average clustering"), std::string::npos) << "C only with --metrics";
}

TEST(GraphCli, JsonWithMetricsOfTheDenseFfn) {
  auto result = run_structlab("graph complete_layered 'widths=[3, 4, 2]' --metrics --format json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["vertices"], 9);
  EXPECT_EQ(json["edges"], 20);
  EXPECT_EQ(json["layer_widths"], nlohmann::json::array({3, 4, 2}));
  EXPECT_EQ(json["edge_spans"]["1"], 20);
  EXPECT_EQ(json["average_clustering"], 0.0);  // bipartite layers close no triangles
  EXPECT_EQ(json["average_shortest_path_length"]["exact"], true);
}

TEST(GraphCli, BigGraphMetricsAreSampledWithProgressOnStderr) {
  // 2e5 vertices: C stays exact (cheap), L comes from 64 seeded sources; stderr is a pipe here, so the
  // progress is plain lines, one when a measure starts and one when it ends
  const std::string command = "graph watts_strogatz n=200000 k=4 p=0.1 --seed 2 --metrics --format json";
  auto result = run_structlab(command);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["clustering_samples"], 0);
  EXPECT_EQ(json["average_shortest_path_length"]["exact"], false);
  EXPECT_EQ(json["average_shortest_path_length"]["samples"], 64);
  EXPECT_NE(result.err.find("metrics: clustering 0/200000 vertices\n"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("metrics: path length 0/64 sampled sources\n"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("metrics: path length 64/64 sampled sources ("), std::string::npos) << result.err;
  auto again = run_structlab(command);
  EXPECT_EQ(nlohmann::json::parse(again.out), json) << "same seed, same samples";
}

TEST(GraphCli, MetricsModeFullIsExactAndPathSamplesOverride) {
  auto full =
      run_structlab("graph watts_strogatz n=300 k=4 p=0.1 --metrics --metrics-mode full --format json");
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_EQ(nlohmann::json::parse(full.out)["average_shortest_path_length"]["exact"], true);
  auto sampled =
      run_structlab("graph watts_strogatz n=300 k=4 p=0.1 --metrics --path-samples 10 --format json");
  ASSERT_EQ(sampled.exit_code, 0) << sampled.err;
  EXPECT_EQ(nlohmann::json::parse(sampled.out)["average_shortest_path_length"]["samples"], 10);
  auto table = run_structlab("graph watts_strogatz n=300 k=4 p=0.1 --metrics --path-samples 10");
  EXPECT_NE(table.out.find("(estimated from 10 sources)"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("(exact)"), std::string::npos) << table.out;  // C
}

TEST(GraphCli, UnknownMetricsModeNamesTheAllowedOnes) {
  auto result = run_structlab("graph watts_strogatz n=20 k=4 p=0 --metrics --metrics-mode exact");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("--metrics-mode must be full or sampled, got 'exact'"), std::string::npos)
      << result.err;
}

TEST(GraphCli, SameSeedSameFileAndRandomOrientationDiffers) {
  std::string dir = testing::make_temp_dir("graph-cli");
  auto a = run_structlab("graph barabasi_albert n=200 m=2 --seed 3 -o " + dir + "/a.edges");
  auto b = run_structlab("graph barabasi_albert n=200 m=2 --seed 3 -o " + dir + "/b.edges");
  auto c = run_structlab("graph barabasi_albert n=200 m=2 --seed 3 --orient random -o " + dir + "/c.edges");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  ASSERT_EQ(c.exit_code, 0) << c.err;
  graph::EdgeListGraph first = graph::read_graph(dir + "/a.edges");
  EXPECT_EQ(first.edges, graph::read_graph(dir + "/b.edges").edges);
  EXPECT_EQ(first.edges.size(), 396U);
  EXPECT_TRUE(first.directed);
  EXPECT_NE(first.edges, graph::read_graph(dir + "/c.edges").edges);
}

TEST(GraphCli, WritesTheChosenFormat) {
  std::string dir = testing::make_temp_dir("graph-cli-format");
  auto result = run_structlab("graph erdos_renyi n=30 p=0.2 --format graphml -o " + dir + "/g.out");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  graph::EdgeListGraph graph = graph::read_graph(dir + "/g.out", graph::GraphFormat::graphml);
  EXPECT_EQ(graph.num_vertices, 30);
  EXPECT_NE(result.out.find("edges                        " + std::to_string(graph.edges.size())),
            std::string::npos)
      << result.out;
}

TEST(GraphCli, BadParameterNamesKeyAndExits1) {
  auto result = run_structlab("graph watts_strogatz n=10 k=3");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("k"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("even"), std::string::npos) << result.err;
}

TEST(GraphCli, CyclicFileNamesTheCycle) {
  std::string dir = testing::make_temp_dir("graph-cli-cycle");
  graph::write_graph(graph::EdgeListGraph{3, {{0, 1}, {1, 2}, {2, 1}}, true}, dir + "/loop.json");
  auto result = run_structlab("graph from_file path=" + dir + "/loop.json");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("1 -> 2 -> 1"), std::string::npos) << result.err;
}

TEST(GraphCli, UnknownGeneratorOrOrientation) {
  auto unknown = run_structlab("graph no_such_generator n=3");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no_such_generator"), std::string::npos) << unknown.err;
  auto orient = run_structlab("graph watts_strogatz n=10 --orient sideways");
  EXPECT_EQ(orient.exit_code, 1);
  EXPECT_NE(orient.err.find("'index' or 'random'"), std::string::npos) << orient.err;
  auto missing = run_structlab("graph");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("generator (or the subcommand: sample SPEC)"), std::string::npos) << missing.err;
  EXPECT_EQ(run_structlab("graph sample").exit_code, 2) << "sample needs a spec";
  auto no_sample = run_structlab(std::string("graph sample ") + STRUCTLAB_TEST_SOURCE_DIR + "/configs/quickstart.yaml");
  EXPECT_EQ(no_sample.exit_code, 1);
  EXPECT_NE(no_sample.err.find("quickstart.yaml: structure: the spec has no `sample:` section to show"),
            std::string::npos)
      << no_sample.err;
}

}  // namespace
}  // namespace structlab
