// The model kind `relational_mlp` (graph2nn's relational graph MLP), loaded as the runner loads it.

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "structlab/error.hpp"
#include "structlab/plugin/model_kind.hpp"
#include "structlab/plugin/registry.hpp"

namespace structlab::plugin {
namespace {

// One registry for the whole test program: a model's code lives in the plugin library, which must stay loaded.
PluginRegistry& relational_registry() {
  static PluginRegistry registry = [] {
    PluginRegistry found;
    found.add_path(std::filesystem::path(STRUCTLAB_TEST_PLUGIN_DIR) / "libstructlab_model_relational_mlp.so");
    found.scan();
    return found;
  }();
  return registry;
}

std::shared_ptr<nn::MaskedModel> build(const graph::LayeredGraph& structure, const Params& params,
                                       std::vector<std::int64_t> input_shape, std::int64_t outputs) {
  auto kind = relational_registry().create_model_kind("relational_mlp", params);
  EXPECT_TRUE(kind->needs_structure());
  ModelContext context;
  context.structure = &structure;
  context.input_shape = std::move(input_shape);
  context.num_outputs = outputs;
  context.generator = at::make_generator<at::CPUGeneratorImpl>(1);
  return kind->build(context);
}

Params small(std::int64_t layers, std::int64_t width) {
  Params params;
  params.set("layers", layers);
  params.set("width", width);
  return params;
}

torch::Tensor rows(std::vector<std::vector<int>> values) {
  std::vector<torch::Tensor> out;
  for (const auto& row : values) out.push_back(torch::tensor(std::vector<std::int64_t>(row.begin(), row.end())));
  return torch::stack(out).to(torch::kBool);
}

// The path 0 - 1 - 2: with self-loops, group 0 reads groups 0 and 1, group 1 all three, group 2 groups 1 and 2.
const graph::LayeredGraph kPath(3, {{0, 1}, {1, 2}});

TEST(RelationalMlp, HiddenLayersReadTheGroupsOfTheirNeighboursAndThemselves) {
  // 5 units in 3 groups: the first 5 mod 3 = 2 groups get one unit more, so units 0 1 | 2 3 | 4
  auto model = build(kPath, small(2, 5), {4}, 3);
  auto layers = model->masked_layers();
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[0].name, "input");
  EXPECT_TRUE(layers[0].mask.all().item<bool>()) << "graph2nn's first layer is dense";
  EXPECT_TRUE(layers[2].mask.all().item<bool>()) << "and so is its last";
  EXPECT_TRUE(torch::equal(layers[1].mask, rows({{1, 1, 1, 1, 0},
                                                 {1, 1, 1, 1, 0},
                                                 {1, 1, 1, 1, 1},
                                                 {1, 1, 1, 1, 1},
                                                 {0, 0, 1, 1, 1}})))
      << layers[1].mask;
  EXPECT_EQ(model->active_weight_count(), 4 * 5 + 21 + 5 * 3);
  EXPECT_TRUE((layers[1].weight.masked_select(layers[1].mask.logical_not()) == 0).all().item<bool>())
      << "masked weights start at zero";
  EXPECT_EQ(model->forward(torch::randn({2, 4})).sizes(), (std::vector<std::int64_t>{2, 3}));
}

TEST(RelationalMlp, FirstAndLastLayersCanBeMaskedToo) {
  Params params = small(1, 3);
  params.set("first_layer", std::string("masked"));
  params.set("last_layer", std::string("masked"));
  auto layers = build(kPath, params, {4}, 3)->masked_layers();
  ASSERT_EQ(layers.size(), 2u);
  // 4 input features in 3 groups: 0 1 | 2 | 3; hidden units one per group
  EXPECT_TRUE(torch::equal(layers[0].mask, rows({{1, 1, 1, 0}, {1, 1, 1, 1}, {0, 0, 1, 1}}))) << layers[0].mask;
  EXPECT_TRUE(torch::equal(layers[1].mask, rows({{1, 1, 0}, {1, 1, 1}, {0, 1, 1}}))) << layers[1].mask;
}

TEST(RelationalMlp, ReadsTheStructureAsUndirected) {
  // the oriented edge 0 -> 2 links groups 0 and 2 both ways
  const graph::LayeredGraph one_edge(3, {{0, 2}});
  auto layers = build(one_edge, small(2, 3), {2}, 2)->masked_layers();
  EXPECT_TRUE(torch::equal(layers[1].mask, rows({{1, 0, 1}, {0, 1, 0}, {1, 0, 1}}))) << layers[1].mask;
}

TEST(RelationalMlp, TheCompleteGraphIsTheDenseMlpAndEmptyGroupsNeverHappen) {
  std::vector<graph::Edge> all;
  for (graph::VertexId a = 0; a < 8; ++a) {
    for (graph::VertexId b = a + 1; b < 8; ++b) all.push_back({a, b});
  }
  auto model = build(graph::LayeredGraph(8, all), small(3, 20), {6}, 4);
  EXPECT_EQ(model->active_weight_count(), model->total_weight_count());
  // 8 isolated vertices: each group reads only itself, 20 units in 8 groups of 3 3 3 3 2 2 2 2
  auto isolated = build(graph::LayeredGraph(8), small(2, 20), {6}, 4)->masked_layers();
  EXPECT_EQ(isolated[1].active_weight_count(), 4 * 9 + 4 * 4);
  // the unit graph of the hidden layers is what generate_structure returns
  auto model_isolated = build(graph::LayeredGraph(8), small(2, 20), {6}, 4);
  EXPECT_EQ(model_isolated->generate_structure(false, false).num_edges(), 4 * 9 + 4 * 4);
}

TEST(RelationalMlp, RefusesTooNarrowLayersAndUnknownOptions) {
  try {
    build(kPath, small(2, 2), {4}, 3);
    ADD_FAILURE() << "width 2 < 3 vertices was accepted";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("width 2 is less than the structure's 3 vertices"), std::string::npos)
        << e.what();
  }
  Params masked_last = small(2, 5);
  masked_last.set("last_layer", std::string("masked"));
  try {
    build(kPath, masked_last, {4}, 2);
    ADD_FAILURE() << "2 outputs for 3 groups were accepted";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("last_layer: masked splits the 2 outputs into one group per vertex, but "
                                         "the structure has 3 vertices"),
              std::string::npos)
        << e.what();
  }
  Params params = small(2, 5);
  params.set("first_layer", std::string("sparse"));
  try {
    relational_registry().create_model_kind("relational_mlp", params);
    ADD_FAILURE() << "first_layer: sparse was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("first_layer"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("expected dense or masked, got 'sparse'"), std::string::npos) << e.what();
  }
  try {
    relational_registry().create_model_kind("relational_mlp", small(0, 5));
    ADD_FAILURE() << "layers: 0 was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("expected at least 1 hidden layer, got 0"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace structlab::plugin
