// The built-in generator plugins, loaded as the runner loads them: parameters, validation, output.

#include <gtest/gtest.h>

#include <fstream>

#include "structlab/error.hpp"
#include "structlab/graph/io.hpp"
#include "structlab/graph/layered_graph.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/registry.hpp"
#include "structlab/spec/value_text.hpp"
#include "support/run_process.hpp"

namespace structlab::graph {
namespace {

class GeneratorPlugins : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new plugin::PluginRegistry();
    registry_->add_path(STRUCTLAB_TEST_PLUGIN_DIR);
    registry_->scan();
  }
  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
  }

  static EdgeListGraph generate(const std::string& name, const std::vector<std::string>& assignments,
                                std::uint64_t seed = 1) {
    return registry_->create_generator(name, spec::parse_assignments(assignments))->generate(seed);
  }

  // The ConfigError message of creating \p name with \p assignments ("" when none was thrown).
  static std::string config_error(const std::string& name, const std::vector<std::string>& assignments) {
    try {
      registry_->create_generator(name, spec::parse_assignments(assignments));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  static plugin::PluginRegistry* registry_;
};

plugin::PluginRegistry* GeneratorPlugins::registry_ = nullptr;

std::int64_t edge_count(const EdgeListGraph& graph) { return static_cast<std::int64_t>(graph.edges.size()); }

TEST_F(GeneratorPlugins, AllEightAreFound) {
  for (const char* name : {"erdos_renyi", "watts_strogatz", "newman_watts_strogatz", "barabasi_albert",
                           "ws_flex", "random_layered", "complete_layered", "from_file"}) {
    EXPECT_NO_THROW(registry_->find(plugin::PluginKind::generator, name)) << name;
  }
}

TEST_F(GeneratorPlugins, ErdosRenyiTakesExactlyOneOfPAndM) {
  EXPECT_EQ(edge_count(generate("erdos_renyi", {"n=30", "m=40"})), 40);
  EXPECT_EQ(edge_count(generate("erdos_renyi", {"n=30", "p=1.0"})), 435);
  EXPECT_NE(config_error("erdos_renyi", {"n=30"}).find("exactly one of p"), std::string::npos);
  EXPECT_NE(config_error("erdos_renyi", {"n=30", "p=0.1", "m=3"}).find("exactly one of p"),
            std::string::npos);
  EXPECT_NE(config_error("erdos_renyi", {"n=0", "p=0.1"}).find("n"), std::string::npos);
  EXPECT_NE(config_error("erdos_renyi", {"n=10", "p=1.5"}).find("probability"), std::string::npos);
  EXPECT_NE(config_error("erdos_renyi", {"n=10", "m=46"}).find("0..45"), std::string::npos);
}

TEST_F(GeneratorPlugins, WattsStrogatzCountsAndChecks) {
  EXPECT_EQ(edge_count(generate("watts_strogatz", {"n=100", "k=4", "p=0.3"})), 200);
  EXPECT_GE(edge_count(generate("newman_watts_strogatz", {"n=100", "k=4", "p=0.3"})), 200);
  for (const char* name : {"watts_strogatz", "newman_watts_strogatz"}) {
    std::string odd = config_error(name, {"n=10", "k=3"});
    EXPECT_NE(odd.find("k"), std::string::npos) << odd;
    EXPECT_NE(odd.find("even"), std::string::npos) << odd;
    EXPECT_NE(config_error(name, {"n=10", "k=10"}).find("less than n = 10"), std::string::npos);
    EXPECT_NE(config_error(name, {"n=0"}).find("at least 1"), std::string::npos);
    EXPECT_NE(config_error(name, {"n=10", "p=-0.5"}).find("probability"), std::string::npos);
    EXPECT_NE(config_error(name, {"n=10", "p=2"}).find("probability"), std::string::npos);
  }
}

TEST_F(GeneratorPlugins, BarabasiAlbertAndWsFlex) {
  EXPECT_EQ(edge_count(generate("barabasi_albert", {"n=50", "m=3"})), 47 * 3);
  EXPECT_NE(config_error("barabasi_albert", {"n=3", "m=3"}).find("less than n = 3"), std::string::npos);
  EXPECT_NE(config_error("barabasi_albert", {"n=-4"}).find("at least 2"), std::string::npos);
  EXPECT_EQ(edge_count(generate("ws_flex", {"n=40", "k=4.5", "p=0.2"})), 90);
  EXPECT_NE(config_error("ws_flex", {"n=40", "k=1"}).find("[2, n-1]"), std::string::npos);
  EXPECT_NE(config_error("ws_flex", {"n=40", "p=1.01"}).find("probability"), std::string::npos);
}

TEST_F(GeneratorPlugins, LayeredGeneratorsAreDirectedDags) {
  EdgeListGraph dense = generate("complete_layered", {"widths=[4, 3, 2]"});
  EXPECT_TRUE(dense.directed);
  EXPECT_EQ(edge_count(dense), 18);
  EdgeListGraph sparse = generate("random_layered", {"widths=[5, 5, 5]", "p_next=0.05", "keep_layers=true"});
  LayeredGraph layered(sparse.num_vertices, sparse.edges);
  EXPECT_EQ(layered.num_layers(), 3);
  EXPECT_EQ(layered.layer_size(1), 5);
  EXPECT_NE(config_error("complete_layered", {"widths=[4, 0]"}).find("layer 1 has width 0"),
            std::string::npos);
  EXPECT_NE(config_error("random_layered", {"widths=[]"}).find("at least one layer"), std::string::npos);
  EXPECT_NE(config_error("random_layered", {"widths=[2]", "p_skip=3"}).find("p_skip"), std::string::npos);
}

TEST_F(GeneratorPlugins, SameSeedSameGraphThroughThePlugin) {
  for (const char* name :
       {"erdos_renyi", "watts_strogatz", "newman_watts_strogatz", "barabasi_albert", "ws_flex"}) {
    std::vector<std::string> params{"n=60"};
    if (std::string(name) == "erdos_renyi") params.push_back("p=0.2");
    EXPECT_EQ(generate(name, params, 5).edges, generate(name, params, 5).edges) << name;
    EXPECT_NE(generate(name, params, 5).edges, generate(name, params, 6).edges) << name;
  }
}

TEST_F(GeneratorPlugins, FromFileReadsEachFormat) {
  std::string dir = testing::make_temp_dir("from-file");
  EdgeListGraph original{5, {{0, 1}, {1, 2}, {3, 4}}, true};
  write_graph(original, dir + "/g.graphml");
  write_graph(original, dir + "/g.data", GraphFormat::dot);
  EXPECT_EQ(generate("from_file", {"path=" + dir + "/g.graphml"}).edges, original.edges);
  EdgeListGraph from_dot = generate("from_file", {"path=" + dir + "/g.data", "format=dot"});
  EXPECT_EQ(from_dot.num_vertices, 5);
  EXPECT_EQ(from_dot.edges, original.edges);
}

TEST_F(GeneratorPlugins, FromFileErrors) {
  auto generator =
      registry_->create_generator("from_file", spec::parse_assignments({"path=/no/such/graph.json"}));
  try {
    generator->generate(0);
    FAIL() << "a missing file must be a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("/no/such/graph.json"), std::string::npos) << e.what();
  }
  EXPECT_NE(config_error("from_file", {"path=graph.bin"}).find(".graphml"), std::string::npos);
  EXPECT_NE(config_error("from_file", {"path=g.txt", "format=gml"}).find("format"), std::string::npos);
  // a back edge in a user's file: the cycle is named when the graph is layered
  std::string dir = testing::make_temp_dir("from-file-cycle");
  std::ofstream(dir + "/cyclic.edges") << "0 1\n1 2\n2 0\n";
  EdgeListGraph cyclic = generate("from_file", {"path=" + dir + "/cyclic.edges"});
  try {
    LayeredGraph::from_edge_list(cyclic, Orientation::index, 0).num_layers();
    FAIL() << "a cycle must be a GraphError";
  } catch (const GraphError& e) {
    EXPECT_NE(std::string(e.what()).find("0 -> 1 -> 2 -> 0"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace structlab::graph
