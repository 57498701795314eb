// Graph extraction from TorchScript models saved by Debian's python3-torch (an MLP, a small CNN, an MLP with
// a skip connection, branches joined by cat, features viewed as an image; scripted and traced): the exact
// edges computed in Python from the weights, the threshold, and the errors on missing, foreign, unfollowable
// (a partial flatten, a mean over one spatial dimension) or refusing models.

#include "structlab/nn/extract_graph.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "structlab/error.hpp"
#include "support/torchscript_models.hpp"

namespace structlab::nn {
namespace {

using testing::torchscript_expectation;
using testing::torchscript_model_names;
using testing::TorchScriptModels;

class ExtractGraph : public ::testing::Test {
 protected:
  void SetUp() override {
    // not skipped when python3-torch is missing: tools/setup.sh installs it, so its absence is a failure
    ASSERT_TRUE(models().error.empty()) << models().error;
  }

  static const TorchScriptModels& models() { return testing::torchscript_models(); }
  static std::string model(const std::string& name) { return models().dir + "/" + name + ".pt"; }

  // The message of the \p Exception extract_graph throws for \p path ("" when none was thrown).
  template <typename Exception>
  static std::string error_of(const std::string& path, const ExtractOptions& options = {}) {
    try {
      extract_graph(path, options);
    } catch (const Exception& e) {
      return e.what();
    }
    return "";
  }
};

std::vector<std::vector<std::int64_t>> edge_list(const graph::LayeredGraph& graph) {
  std::vector<std::vector<std::int64_t>> edges;
  for (const auto& edge : graph.edges()) edges.push_back({edge.source, edge.target});
  return edges;
}

TEST_F(ExtractGraph, FindsExactlyTheEdgesPythonComputedFromTheWeights) {
  const auto names = torchscript_model_names(models());
  ASSERT_GE(names.size(), 6u);
  for (const auto& name : names) {
    const auto expected = torchscript_expectation(models(), name);
    for (const auto& variant : expected["thresholds"]) {
      SCOPED_TRACE(name + " at threshold " + variant["threshold"].dump());
      ExtractOptions options;
      options.threshold = variant["threshold"].get<double>();
      options.input_shape = expected["input_shape"].get<std::vector<std::int64_t>>();
      const ExtractedGraph extracted = extract_model_graph(model(name), options);

      EXPECT_EQ(extracted.graph.num_vertices(), variant["num_vertices"].get<std::int64_t>());
      EXPECT_EQ(edge_list(extracted.graph), variant["edges"].get<std::vector<std::vector<std::int64_t>>>());
      ASSERT_EQ(extracted.layers.size(), expected["layers"].size());
      std::int64_t edges = 0;
      for (std::size_t i = 0; i < extracted.layers.size(); ++i) {
        const auto& layer = extracted.layers[i];
        const auto& want = expected["layers"][i];
        EXPECT_EQ(layer.name, want["name"].get<std::string>());
        EXPECT_EQ(to_string(layer.kind), want["kind"].get<std::string>());
        EXPECT_EQ(layer.in_units, want["in_units"].get<std::int64_t>()) << layer.name;
        EXPECT_EQ(layer.out_units, want["out_units"].get<std::int64_t>()) << layer.name;
        EXPECT_EQ(layer.first_vertex, want["first_vertex"].get<std::int64_t>()) << layer.name;
        edges += layer.edges;
      }
      EXPECT_EQ(edges, extracted.graph.num_edges()) << "every edge enters one layer";
      EXPECT_EQ(extracted.input_units, expected["layers"][0]["first_vertex"].get<std::int64_t>());
      EXPECT_EQ(extracted.input_is_channels, expected["layers"][0]["kind"] == "conv2d");
    }
  }
}

TEST_F(ExtractGraph, ScriptedAndTracedModelsGiveTheSameGraph) {
  // torch.jit.trace leaves a prim::CallMethod per submodule, which the extraction inlines
  for (const char* model_name : {"mlp", "cnn", "skip", "view_to_image"}) {
    const std::string name = model_name;
    EXPECT_EQ(extract_graph(model(name + "_script")), extract_graph(model(name + "_trace"))) << name;
  }
}

TEST_F(ExtractGraph, AThresholdDropsTheSmallWeightsEdges) {
  const graph::LayeredGraph all = extract_graph(model("mlp_script"));
  ExtractOptions options;
  options.threshold = 0.02;
  const graph::LayeredGraph large = extract_graph(model("mlp_script"), options);
  EXPECT_EQ(large.num_vertices(), all.num_vertices()) << "the units stay";
  EXPECT_LT(large.num_edges(), all.num_edges());
  EXPECT_GT(large.num_edges(), 0);
  for (const auto& edge : large.edges()) EXPECT_TRUE(all.has_edge(edge.source, edge.target));
  options.threshold = 10.0;
  EXPECT_EQ(extract_graph(model("mlp_script"), options).num_edges(), 0);
}

TEST_F(ExtractGraph, ZeroedWeightsAndKernelsAreNoEdges) {
  // save_torchscript_models.py zeroes fc1's row 3 and fc2's column 7 of the MLP, and the CNN's conv1 kernel
  // into channel 2
  const graph::LayeredGraph mlp = extract_graph(model("mlp_script"));
  EXPECT_EQ(mlp.in_degree(784 + 3), 0);
  EXPECT_EQ(mlp.out_degree(784 + 7), 0);
  const graph::LayeredGraph cnn = extract_graph(model("cnn_trace"));
  EXPECT_FALSE(cnn.has_edge(0, 1 + 2));
  EXPECT_TRUE(cnn.has_edge(0, 1 + 1));
}

TEST_F(ExtractGraph, AMissingFileIsADataErrorNamingThePath) {
  const std::string path = models().dir + "/no-such-model.pt";
  const std::string message = error_of<DataError>(path);
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("no such file"), std::string::npos) << message;
}

TEST_F(ExtractGraph, AFileThatIsNotTorchScriptIsADataError) {
  const std::string text = models().dir + "/not-a-model.pt";
  std::ofstream(text) << "not a model\n";
  std::string message = error_of<DataError>(text);
  EXPECT_NE(message.find(text + ": not a TorchScript model"), std::string::npos) << message;
  EXPECT_NE(message.find("torch.jit.script"), std::string::npos) << message;

  // the common mistake: torch.save(model.state_dict(), path)
  const std::string state_dict = models().dir + "/state_dict.pt";
  message = error_of<DataError>(state_dict);
  EXPECT_NE(message.find(state_dict + ": not a TorchScript model"), std::string::npos) << message;
  // README promises the hint: how to save TorchScript instead, and that a state dict is not it
  EXPECT_NE(message.find("torch.jit.script(model).save(path)"), std::string::npos) << message;
  EXPECT_NE(message.find("torch.jit.trace(model, example).save(path)"), std::string::npos) << message;
  EXPECT_NE(message.find("not a state dict saved with torch.save"), std::string::npos) << message;
}

TEST_F(ExtractGraph, AWrongInputShapeIsAModelErrorWithPyTorchsReason) {
  ExtractOptions options;
  options.input_shape = {10};
  std::string message = error_of<ModelError>(model("mlp_script"), options);
  EXPECT_NE(message.find("does not accept an input of shape [1, 10]"), std::string::npos) << message;
  EXPECT_NE(message.find("mat1 and mat2"), std::string::npos)
      << message;  // the last line of PyTorch's message

  options.input_shape = {3, 28, 28};
  message = error_of<ModelError>(model("cnn_trace"), options);
  EXPECT_NE(message.find("does not accept an input of shape [1, 3, 28, 28]"), std::string::npos) << message;
  EXPECT_NE(message.find("channels"), std::string::npos) << message;
}

TEST_F(ExtractGraph, ANonPositiveInputShapeOrNegativeThresholdIsAConfigError) {
  ExtractOptions options;
  options.input_shape = {1, 0, 28};
  EXPECT_NE(error_of<ConfigError>(model("cnn_trace"), options).find("[1, 0, 28]"), std::string::npos);
  options.input_shape = {};
  options.threshold = -0.5;
  EXPECT_NE(error_of<ConfigError>(model("cnn_trace"), options).find("threshold"), std::string::npos);
}

TEST_F(ExtractGraph, AModelWithoutLinearOrConv2dIsAModelError) {
  const std::string message = error_of<ModelError>(model("no_layers"));
  EXPECT_NE(message.find(model("no_layers")), std::string::npos) << message;
  EXPECT_NE(message.find("no Linear or Conv2d layer"), std::string::npos) << message;
}

TEST_F(ExtractGraph, AnOperationItDoesNotFollowIsAModelErrorNamingIt) {
  const std::string message = error_of<ModelError>(model("matmul"));
  EXPECT_NE(message.find("aten::matmul"), std::string::npos) << message;
  EXPECT_NE(message.find("after layer 'fc'"), std::string::npos) << message;
}

TEST_F(ExtractGraph, FeaturesViewedAsAnImageGiveEachChannelItsFeatures) {
  // fc's 16 features viewed as [B, 4, 2, 2]: conv reads 4 channels, channel c holding fc's units 4c .. 4c + 3
  const ExtractedGraph extracted = extract_model_graph(model("view_to_image_script"));
  ASSERT_EQ(extracted.layers.size(), 3u);
  EXPECT_EQ(extracted.layers[1].name, "conv");
  EXPECT_EQ(extracted.layers[1].in_units, 4);
  const std::int64_t fc = extracted.layers[0].first_vertex, conv = extracted.layers[1].first_vertex;
  // save_torchscript_models.py keeps every conv kernel from channel 2 (fc's units 8..11, which have no input)
  for (std::int64_t unit = 8; unit < 12; ++unit) {
    EXPECT_EQ(extracted.graph.in_degree(fc + unit), 0) << unit;
    for (std::int64_t o = 0; o < 3; ++o) EXPECT_TRUE(extracted.graph.has_edge(fc + unit, conv + o)) << unit;
  }
}

TEST_F(ExtractGraph, APartialFlattenIsAModelErrorNamingIt) {
  // flatten(x, 1, 2) leaves W last; with W a multiple of the channels a Linear over W once passed for one
  // over flattened channels
  for (const char* name : {"partial_flatten_script", "partial_flatten_trace"}) {
    const std::string message = error_of<ModelError>(model(name));
    EXPECT_NE(message.find("aten::flatten (after layer 'conv')"), std::string::npos) << message;
    EXPECT_NE(message.find("flattens dimensions 1 to 2 of 2 channels, not to the last"), std::string::npos)
        << message;
    EXPECT_NE(message.find("expected torch.flatten(x, 1) (end_dim -1)"), std::string::npos) << message;
  }
}

TEST_F(ExtractGraph, AMeanOverOneSpatialDimensionIsAModelErrorNamingIt) {
  // x.mean(2) leaves W last; with W equal to the channels a Linear over W once passed for one over channels
  for (const char* name : {"one_axis_mean_script", "one_axis_mean_trace"}) {
    const std::string message = error_of<ModelError>(model(name));
    EXPECT_NE(message.find("aten::mean (after layer 'conv')"), std::string::npos) << message;
    EXPECT_NE(message.find("reduces 4 channels over dims [2] only"), std::string::npos) << message;
    EXPECT_NE(message.find("without keepdim"), std::string::npos) << message;
    EXPECT_NE(message.find("expected every spatial dimension reduced"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace structlab::nn
