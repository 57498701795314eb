// `structlab extract` and the from_model generator as a user runs them, on TorchScript models saved by
// Debian's python3-torch: the layers and metrics printed, every graph format read back, JSON output, errors.

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "structlab/graph/io.hpp"
#include "support/run_process.hpp"
#include "support/torchscript_models.hpp"

namespace structlab {
namespace {

using testing::contains;
using testing::make_temp_dir;
using testing::run_structlab;

using EdgeRows = std::vector<std::vector<std::int64_t>>;

class ExtractCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // not skipped when python3-torch is missing: tools/setup.sh installs it, so its absence is a failure
    ASSERT_TRUE(testing::torchscript_models().error.empty()) << testing::torchscript_models().error;
    dir_ = make_temp_dir("extract-cli");
  }

  static std::string model(const std::string& name) {
    return testing::torchscript_models().dir + "/" + name + ".pt";
  }

  // The expected vertex count and sorted edges of \p name at \p threshold (save_torchscript_models.py).
  static std::pair<std::int64_t, EdgeRows> expected(const std::string& name, double threshold) {
    const auto expectation = testing::torchscript_expectation(testing::torchscript_models(), name);
    for (const auto& variant : expectation["thresholds"]) {
      if (variant["threshold"].get<double>() == threshold)
        return {variant["num_vertices"].get<std::int64_t>(), variant["edges"].get<EdgeRows>()};
    }
    ADD_FAILURE() << name << ".json has no threshold " << threshold;
    return {};
  }

  // The vertex count and sorted edges of a graph file.
  static std::pair<std::int64_t, EdgeRows> read_back(const std::string& path) {
    const graph::EdgeListGraph graph = graph::read_graph(path);
    EXPECT_TRUE(graph.directed) << path;
    EdgeRows edges;
    for (const auto& edge : graph.edges) edges.push_back({edge.source, edge.target});
    std::sort(edges.begin(), edges.end());
    return {graph.num_vertices, edges};
  }

  std::string dir_;
};

TEST_F(ExtractCli, WritesGraphMLAndPrintsTheLayersAndMetrics) {
  const std::string file = dir_ + "/cnn.graphml";
  auto result =
      run_structlab("extract " + model("cnn_trace") + " --input-shape 1,28,28 -o " + file + " --metrics");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "input                        1 channel, vertices 0-0")) << result.out;
  EXPECT_TRUE(contains(result.out, "conv1 (conv2d)               1 -> 4 channels, vertices 1-4, 3 edges"))
      << result.out;
  EXPECT_TRUE(contains(result.out, "fc (linear)                  726 -> 10 features, vertices 11-20"))
      << result.out;
  EXPECT_TRUE(contains(result.out, "vertices                     21\n")) << result.out;
  EXPECT_TRUE(contains(result.out, "average clustering C")) << "--metrics adds C and L: " << result.out;
  EXPECT_TRUE(contains(result.out, "written to                   " + file)) << result.out;
  EXPECT_EQ(read_back(file), expected("cnn_trace", 0.0));
}

TEST_F(ExtractCli, EveryGraphFormatHoldsTheSameGraph) {
  for (const char* extension : {".edges", ".graphml", ".dot", ".json"}) {
    const std::string file = dir_ + "/skip" + extension;
    auto result = run_structlab("extract " + model("skip_script") + " --threshold 0.2 -o " + file);
    ASSERT_EQ(result.exit_code, 0) << extension << ": " << result.err;
    EXPECT_EQ(read_back(file), expected("skip_script", 0.2)) << extension;
  }
  // --format overrides the extension
  auto result = run_structlab("extract " + model("skip_script") + " --format dot -o " + dir_ + "/skip.out");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(graph::read_graph(dir_ + "/skip.out", graph::GraphFormat::dot).edges.size(),
            expected("skip_script", 0.0).second.size());
}

TEST_F(ExtractCli, JsonFormatPrintsTheLayersAndMetrics) {
  auto result = run_structlab("extract " + model("skip_trace") + " --threshold 0.2 --format json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["input"]["units"], 8);
  EXPECT_EQ(json["input"]["kind"], "features");
  ASSERT_EQ(json["layers"].size(), 3u);
  EXPECT_EQ(json["layers"][2]["name"], "fc3");
  EXPECT_EQ(json["layers"][2]["first_vertex"], 20);
  EXPECT_EQ(json["metrics"]["vertices"], 23);
  EXPECT_EQ(json["metrics"]["edges"], expected("skip_trace", 0.2).second.size());
  EXPECT_GT(json["metrics"]["skip_edges"].get<std::int64_t>(), 0) << "fc1 -> fc3 skips fc2's layer";
}

TEST_F(ExtractCli, ErrorsExitOneWithTheReason) {
  auto shape = run_structlab("extract " + model("cnn_trace") + " --input-shape 3,28,28");
  EXPECT_EQ(shape.exit_code, 1);
  EXPECT_TRUE(contains(shape.err, "does not accept an input of shape [1, 3, 28, 28]")) << shape.err;

  auto text = run_structlab("extract " + model("cnn_trace") + " --input-shape 1,x");
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_TRUE(contains(text.err, "--input-shape '1,x'")) << text.err;

  const std::string missing = dir_ + "/missing.pt";
  auto absent = run_structlab("extract " + missing);
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_TRUE(contains(absent.err, missing + ": no such file")) << absent.err;

  auto format = run_structlab("extract " + model("cnn_trace") + " -o " + dir_ + "/graph.bin");
  EXPECT_EQ(format.exit_code, 1);
  EXPECT_TRUE(contains(format.err, ".graphml")) << "names the known extensions: " << format.err;

  EXPECT_EQ(run_structlab("extract").exit_code, 2) << "the model is required";
}

TEST_F(ExtractCli, FromModelGeneratorGivesTheExtractedGraph) {
  const std::string file = dir_ + "/from_model.json";
  auto result = run_structlab("graph from_model path=" + model("skip_script") +
                              " threshold=0.2 'input_shape=[8]' -o " + file);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(read_back(file), expected("skip_script", 0.2));

  auto cnn = run_structlab("graph from_model path=" + model("cnn_script") + " --format json");
  ASSERT_EQ(cnn.exit_code, 0) << cnn.err;
  EXPECT_EQ(nlohmann::json::parse(cnn.out)["edges"], expected("cnn_script", 0.0).second.size());

  auto negative = run_structlab("graph from_model path=" + model("skip_script") + " threshold=-1");
  EXPECT_EQ(negative.exit_code, 1);
  EXPECT_TRUE(contains(negative.err, "threshold")) << negative.err;
  auto refused = run_structlab("graph from_model path=" + model("mlp_script") + " 'input_shape=[10]'");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(contains(refused.err, "does not accept an input of shape [1, 10]")) << refused.err;
}

}  // namespace
}  // namespace structlab
