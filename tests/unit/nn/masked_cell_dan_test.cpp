// MaskedCellDAN (model kind `dan_cells`): the edge blocks as masked layers, the layer-at-once forward against
// a slow per-vertex reference, pruned edges, the structure round trip, dead units, refusals and the plugin.

#include "structlab/nn/masked_cell_dan.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "structlab/error.hpp"
#include "structlab/nn/init_generator.hpp"
#include "structlab/plugin/model_kind.hpp"
#include "structlab/plugin/registry.hpp"
#include "structlab/prune/dead_units.hpp"
#include "unit/nn/test_structures.hpp"

namespace structlab::nn {
namespace {

using testing::message_of;
using testing::random_dag;
using testing::small_dag;
using Shape = std::vector<std::int64_t>;

constexpr std::int64_t kChannels = 3;

MaskedCellDAN small_model(DanCell cell, const graph::LayeredGraph& structure = small_dag()) {
  return MaskedCellDAN(structure, MaskedCellDANOptions({2, 9, 8}, 4).channels(kChannels).cell(cell));
}

// Every parameter of \p model, by its state name.
std::map<std::string, torch::Tensor> parameters_of(MaskedCellDANImpl& model) {
  std::map<std::string, torch::Tensor> named;
  for (const auto& item : model.named_parameters()) named[item.key()] = item.value();
  for (const auto& item : model.named_buffers()) named[item.key()] = item.value();
  return named;
}

// Draws every parameter anew (aggregation weights of both signs, BatchNorm scales and shifts away from 1 and
// 0), so that the reference comparison sees each of them.
void scramble(MaskedCellDANImpl& model, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  for (auto& parameter : model.parameters()) parameter.copy_(torch::randn_like(parameter));
}

std::string block_name(std::int64_t source_layer, std::int64_t target_layer) {
  if (target_layer - source_layer == 1) return "main_" + std::to_string(target_layer);
  return "skip_" + std::to_string(source_layer) + "_" + std::to_string(target_layer);
}

torch::Tensor batch_norm(const torch::Tensor& maps, std::map<std::string, torch::Tensor>& p,
                         const std::string& norm, std::int64_t first, std::int64_t count, bool training) {
  auto slice = [&](const std::string& name) { return p.at(norm + "." + name).narrow(0, first, count); };
  if (training) {
    return torch::batch_norm(maps, slice("weight"), slice("bias"), {}, {}, true, 0.1, 1e-5, false);
  }
  return torch::batch_norm(maps, slice("weight"), slice("bias"), slice("running_mean"), slice("running_var"),
                           false, 0.1, 1e-5, false);
}

// The model's output computed vertex by vertex, in id order (every structure here has its edges from lower to
// higher ids), from the model's own parameters: the meaning the layer-at-once forward must have.
torch::Tensor per_vertex_reference(MaskedCellDANImpl& model, const graph::LayeredGraph& structure,
                                   const torch::Tensor& images, bool training) {
  auto p = parameters_of(model);
  const std::int64_t c = kChannels;
  const auto stem =
      batch_norm(torch::conv2d(images, p.at("stem.conv"), {}, 2, 1), p, "stem.norm", 0, c, training);
  std::vector<torch::Tensor> out(structure.num_vertices());
  torch::Tensor sinks = torch::zeros_like(stem);
  std::int64_t sink_count = 0;
  for (graph::VertexId v = 0; v < structure.num_vertices(); ++v) {
    const std::int64_t layer = structure.layer_of(v), row = structure.index_in_layer(v);
    auto aggregation = [&](const std::string& block, std::int64_t r, std::int64_t col) {
      return (p.at(block + ".weight")[r][col].abs() * p.at(block + ".mask")[r][col].to(torch::kFloat))
          .item<float>();
    };
    torch::Tensor input = torch::zeros_like(stem);
    if (layer == 0) input = input + aggregation("input", row, 0) * stem;
    for (auto u : structure.in_neighbors(v)) {
      const auto weight =
          aggregation(block_name(structure.layer_of(u), layer), row, structure.index_in_layer(u));
      input = input + weight * out[u];
    }
    const std::string cells = "cells_" + std::to_string(layer);
    auto maps = torch::relu(input);
    if (p.count(cells + ".conv")) {
      maps = torch::conv2d(maps, p.at(cells + ".conv").narrow(0, row * c, c), {}, 1, 1);
    } else {
      maps = torch::conv2d(maps, p.at(cells + ".depthwise").narrow(0, row * c, c), {}, 1, 1, 1, c);
      maps = torch::conv2d(maps, p.at(cells + ".pointwise").narrow(0, row * c, c));
    }
    out[v] = batch_norm(maps, p, cells + ".norm", row * c, c, training);
    if (structure.out_degree(v) == 0) {
      ++sink_count;
      sinks = sinks + aggregation("output_from_" + std::to_string(layer), 0, row) * out[v];
    }
  }
  const auto pooled = torch::relu(sinks / static_cast<double>(sink_count)).mean({2, 3});
  return torch::linear(pooled, p.at("classifier.weight"), p.at("classifier.bias"));
}

TEST(MaskedCellDan, OutputShapeForImageAndFlatInput) {
  auto model = small_model(DanCell::relu_sepconv_bn);
  EXPECT_EQ(model->forward(torch::randn({5, 2, 9, 8})).sizes(), (Shape{5, 4}));
  EXPECT_EQ(model->forward(torch::randn({5, 2 * 9 * 8})).sizes(), (Shape{5, 4}));
  EXPECT_EQ(model->num_structure_layers(), 4);
  EXPECT_THROW(model->forward(torch::randn({5, 100})), ModelError);
}

TEST(MaskedCellDan, MaskedLayersAreTheEdgeBlocksWithoutBias) {
  // small_dag: layers {0, 1} -> {2} -> {3, 5} -> {4}; skips 0 -> 3 and 1 -> 4; sinks 5 (layer 2) and 4
  auto model = small_model(DanCell::relu_sepconv_bn);
  const auto refs = model->masked_layers();
  const std::vector<std::string> names{"input",  "main_1",   "main_2",        "skip_0_2",
                                       "main_3", "skip_0_3", "output_from_2", "output_from_3"};
  const std::vector<Shape> shapes{{2, 1}, {1, 2}, {2, 1}, {2, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 1}};
  const std::vector<std::pair<std::int64_t, std::int64_t>> layers{{-1, 0}, {0, 1}, {1, 2}, {0, 2},
                                                                  {2, 3},  {0, 3}, {2, 4}, {3, 4}};
  const std::vector<std::int64_t> active{2, 2, 2, 1, 1, 1, 1, 1};
  ASSERT_EQ(refs.size(), names.size());
  for (std::size_t i = 0; i < refs.size(); ++i) {
    EXPECT_EQ(refs[i].name, names[i]);
    EXPECT_EQ(refs[i].weight.sizes(), shapes[i]) << names[i];
    EXPECT_FALSE(refs[i].bias.defined()) << names[i];
    EXPECT_EQ(refs[i].source_layer, layers[i].first) << names[i];
    EXPECT_EQ(refs[i].target_layer, layers[i].second) << names[i];
    EXPECT_EQ(refs[i].active_weight_count(), active[i]) << names[i];
    // the aggregation weights start at 1 on the edges, 0 elsewhere
    EXPECT_TRUE(torch::equal(refs[i].weight, refs[i].mask.to(torch::kFloat))) << names[i];
  }
  // skip_0_2 holds the edge 0 -> 3 (row 0: vertex 3, column 0: vertex 0) and not 1 -> 3
  EXPECT_TRUE(refs[3].mask[0][0].item<bool>());
  EXPECT_FALSE(refs[3].mask[0][1].item<bool>());
  // output_from_2 reads the sink 5 (column 1), not 3
  EXPECT_TRUE(refs[6].mask[0][1].item<bool>());
  EXPECT_FALSE(refs[6].mask[0][0].item<bool>());
  // the refs are the model's own tensors
  EXPECT_TRUE(refs[1].weight.is_same(model->named_parameters()["main_1.weight"]));
  EXPECT_TRUE(refs[1].mask.is_same(model->named_buffers()["main_1.mask"]));
}

TEST(MaskedCellDan, ForwardEqualsThePerVertexWeightedSumsAndCells) {
  const auto structure = small_dag();
  for (DanCell cell : {DanCell::relu_conv_bn, DanCell::relu_sepconv_bn}) {
    auto model = small_model(cell, structure);
    scramble(*model, 5);
    const auto images = torch::randn({6, 2, 9, 8});
    const auto output = model->forward(images);
    EXPECT_TRUE(torch::allclose(output, per_vertex_reference(*model, structure, images, true), 1e-4, 1e-5))
        << to_string(cell);
    model->eval();
    EXPECT_TRUE(torch::allclose(model->forward(images),
                                per_vertex_reference(*model, structure, images, false), 1e-4, 1e-5))
        << to_string(cell) << " in eval mode";
  }
}

TEST(MaskedCellDan, ForwardEqualsTheReferenceOnARandomStructureWithPrunedEdges) {
  const auto structure = random_dag(12, 0.3, 7);
  auto model = small_model(DanCell::relu_sepconv_bn, structure);
  scramble(*model, 9);
  torch::manual_seed(11);
  for (const auto& ref : model->masked_layers()) {
    if (ref.name.rfind("output_from_", 0) != 0)
      ref.set_mask(ref.mask.logical_and(torch::rand(ref.mask.sizes()) > 0.3));
  }
  // and one vertex of layer 1 loses every in-edge: its cell gets a zero map
  model->masked_layers()[1].mask[0].fill_(false);
  const auto images = torch::randn({4, 2, 9, 8});
  EXPECT_TRUE(torch::allclose(model->forward(images), per_vertex_reference(*model, structure, images, true),
                              1e-4, 1e-5));
}

TEST(MaskedCellDan, AMaskedEdgeContributesNothingAndGetsNoGradient) {
  auto model = small_model(DanCell::relu_conv_bn);
  scramble(*model, 3);
  model->eval();  // fixed BatchNorm statistics, so two forwards compare
  const auto images = torch::randn({4, 2, 9, 8});
  const auto skip = model->masked_layers()[3];  // skip_0_2, edge 0 -> 3 at [0][0]
  skip.mask[0][0] = false;
  const auto before = model->forward(images);
  {
    torch::NoGradGuard no_grad;
    skip.weight[0][0] = 40.0;  // a masked weight's stored value does not matter
  }
  EXPECT_TRUE(torch::equal(model->forward(images), before));
  model->train();
  model->zero_grad();
  model->forward(images).square().sum().backward();
  EXPECT_EQ(skip.weight.grad()[0][0].item<float>(), 0.0f);
  EXPECT_NE(model->masked_layers()[2].weight.grad()[0][0].item<float>(), 0.0f);  // main_2: edge 2 -> 3
}

TEST(MaskedCellDan, GenerateStructureGivesBackTheStructureAndDropsPrunedEdges) {
  for (const auto& structure : {small_dag(), random_dag(30, 0.15, 3)}) {
    auto model = small_model(DanCell::relu_sepconv_bn, structure);
    EXPECT_EQ(model->generate_structure(false, false), structure);
    const auto whole = model->generate_structure(true, true);
    const std::int64_t n = structure.num_vertices();
    EXPECT_EQ(whole.num_vertices(), n + 2);
    EXPECT_EQ(whole.num_edges(),
              structure.num_edges() +
                  static_cast<std::int64_t>(structure.sources().size() + structure.sinks().size()));
    for (auto source : structure.sources()) EXPECT_TRUE(whole.has_edge(0, source + 1));
    for (auto sink : structure.sinks()) EXPECT_TRUE(whole.has_edge(sink + 1, n + 1));
    for (const auto& edge : structure.edges()) EXPECT_TRUE(whole.has_edge(edge.source + 1, edge.target + 1));
  }
  auto model = small_model(DanCell::relu_sepconv_bn);
  const auto refs = model->masked_layers();
  refs[3].mask[0][0] = false;  // 0 -> 3
  refs[0].mask[1][0] = false;  // stem -> 1
  refs[6].mask[0][1] = false;  // 5 -> output
  const auto pruned = model->generate_structure(false, false);
  EXPECT_EQ(pruned.num_edges(), small_dag().num_edges() - 1);
  EXPECT_FALSE(pruned.has_edge(0, 3));
  EXPECT_TRUE(pruned.has_edge(2, 3));
  const auto whole = model->generate_structure(true, true);
  EXPECT_FALSE(whole.has_edge(0, 2));
  EXPECT_TRUE(whole.has_edge(0, 1));
  EXPECT_FALSE(whole.has_edge(6, 7));
  EXPECT_TRUE(whole.has_edge(5, 7));
  // structure -> model -> pruned model -> structure -> model: the new model's masks are the pruned ones
  auto rebuilt = small_model(DanCell::relu_sepconv_bn, pruned);
  EXPECT_EQ(rebuilt->generate_structure(false, false), pruned);
}

TEST(MaskedCellDan, DeadUnitsCountVertices) {
  auto model = small_model(DanCell::relu_sepconv_bn);
  auto report = prune::count_dead_units(*model);
  EXPECT_EQ(report.units(), 6);
  EXPECT_EQ(report.dead(), 0);
  const auto refs = model->masked_layers();
  refs[1].mask.fill_(false);  // main_1: vertex 2 reads nothing, and 0 and 1 keep only their skips
  refs[5].mask.fill_(false);  // skip_0_3: 1 -> 4 gone, so 1 feeds nothing
  report = prune::count_dead_units(*model);
  EXPECT_EQ(report.without_inputs(), 1);   // vertex 2
  EXPECT_EQ(report.without_outputs(), 1);  // vertex 1
  EXPECT_EQ(report.dead(), 2);
}

TEST(MaskedCellDan, RefusesWhatItCannotBuildNamingTheCause) {
  const std::string flat = message_of([] { MaskedCellDAN(small_dag(), MaskedCellDANOptions({784}, 10)); });
  EXPECT_NE(flat.find("dan_cells"), std::string::npos) << flat;
  EXPECT_NE(flat.find("[channels, height, width]"), std::string::npos) << flat;
  EXPECT_THROW(MaskedCellDAN(small_dag(), MaskedCellDANOptions({1, 0, 28}, 10)), ModelError);
  const std::string channels = message_of([] {
    MaskedCellDAN(small_dag(), MaskedCellDANOptions({1, 8, 8}, 10).channels(0));
  });
  EXPECT_NE(channels.find("channels is 0"), std::string::npos) << channels;
  EXPECT_THROW(MaskedCellDAN(small_dag(), MaskedCellDANOptions({1, 8, 8}, 10).stem_stride(0)), ModelError);
  EXPECT_THROW(MaskedCellDAN(small_dag(), MaskedCellDANOptions({1, 8, 8}, 0)), ModelError);
  const std::string empty = message_of([] {
    MaskedCellDAN(graph::LayeredGraph(0), MaskedCellDANOptions({1, 8, 8}, 2));
  });
  EXPECT_NE(empty.find("no vertices"), std::string::npos) << empty;
  graph::LayeredGraph cycle(3, {{0, 1}, {1, 2}, {2, 0}});
  EXPECT_THROW(MaskedCellDAN(cycle, MaskedCellDANOptions({1, 8, 8}, 2)), GraphError);
  EXPECT_THROW(parse_dan_cell("conv"), ConfigError);
  EXPECT_EQ(parse_dan_cell(to_string(DanCell::relu_conv_bn)), DanCell::relu_conv_bn);
}

TEST(MaskedCellDan, IsolatedVerticesAreSourcesAndSinksAtOnce) {
  auto model = small_model(DanCell::relu_conv_bn, graph::LayeredGraph(3));
  const auto refs = model->masked_layers();
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].name, "input");
  EXPECT_EQ(refs[1].name, "output_from_0");
  EXPECT_EQ(model->forward(torch::randn({2, 2, 9, 8})).sizes(), (Shape{2, 4}));
  EXPECT_EQ(model->generate_structure(true, true).num_edges(), 6);
}

TEST(MaskedCellDan, InitialWeightsComeFromTheInitialisationGeneratorAndMasksStayBool) {
  auto build = [] {
    InitGeneratorGuard guard(at::make_generator<at::CPUGeneratorImpl>(21));
    return small_model(DanCell::relu_sepconv_bn);
  };
  auto first = build(), second = build();
  const auto a = first->parameters(), b = second->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i]));
  first->to(torch::kDouble);
  for (const auto& ref : first->masked_layers()) {
    EXPECT_EQ(ref.mask.scalar_type(), torch::kBool) << ref.name;
    EXPECT_EQ(ref.weight.scalar_type(), torch::kDouble) << ref.name;
  }
  EXPECT_EQ(first->forward(torch::randn({3, 2, 9, 8}, torch::kDouble)).scalar_type(), torch::kDouble);
  std::ostringstream text;
  first->pretty_print(text);
  EXPECT_NE(text.str().find("cell=relu_sepconv_bn"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("edges=7/7"), std::string::npos) << text.str();
}

// The plugin, loaded as the runner loads it.
plugin::PluginRegistry cell_dan_registry() {
  plugin::PluginRegistry registry;
  registry.add_path(std::filesystem::path(STRUCTLAB_TEST_PLUGIN_DIR) / "libstructlab_model_dan_cells.so");
  registry.scan();
  return registry;
}

TEST(MaskedCellDan, PluginBuildsOnTheStructureWithItsParameters) {
  auto registry = cell_dan_registry();
  Params params;
  params.set("channels", std::int64_t{5});
  params.set("cell", std::string("relu_conv_bn"));
  params.set("stem_stride", std::int64_t{1});
  auto kind = registry.create_model_kind("dan_cells", params);
  EXPECT_TRUE(kind->needs_structure());
  const auto structure = small_dag();
  plugin::ModelContext context;
  context.structure = &structure;
  context.input_shape = {1, 6, 6};
  context.num_outputs = 3;
  context.generator = at::make_generator<at::CPUGeneratorImpl>(1);
  auto model = kind->build(context);
  EXPECT_EQ(model->forward(torch::randn({2, 1, 6, 6})).sizes(), (Shape{2, 3}));
  EXPECT_EQ(model->named_parameters()["cells_0.conv"].sizes(), (Shape{2 * 5, 5, 3, 3}));
  EXPECT_EQ(model->generate_structure(false, false), structure);
  context.structure = nullptr;
  EXPECT_THROW(kind->build(context), ConfigError);
}

TEST(MaskedCellDan, PluginRefusesBadParametersNamingTheKey) {
  auto registry = cell_dan_registry();
  auto refused = [&](const std::string& key, const ParamValue& value) {
    Params params;
    params.set(key, value);
    return message_of([&] { registry.create_model_kind("dan_cells", params); });
  };
  const std::string cell = refused("cell", std::string("conv"));
  EXPECT_NE(cell.find("cell"), std::string::npos) << cell;
  EXPECT_NE(cell.find("relu_sepconv_bn"), std::string::npos) << cell;
  const std::string channels = refused("channels", std::int64_t{0});
  EXPECT_NE(channels.find("channels"), std::string::npos) << channels;
  EXPECT_NE(channels.find("at least 1"), std::string::npos) << channels;
  const std::string stride = refused("stem_stride", std::int64_t{-2});
  EXPECT_NE(stride.find("stem_stride"), std::string::npos) << stride;
}

}  // namespace
}  // namespace structlab::nn
