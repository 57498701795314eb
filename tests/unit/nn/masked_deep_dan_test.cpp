#include "structlab/nn/masked_deep_dan.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "structlab/error.hpp"
#include "structlab/nn/sparse_kernels.hpp"
#include "structlab/prune/gradients.hpp"
#include "structlab/random.hpp"
#include "unit/nn/test_structures.hpp"

namespace structlab::nn {
namespace {

using testing::message_of;
using testing::random_dag;
using testing::small_dag;

MaskedDeepDAN dan_on(const graph::LayeredGraph& structure, MaskedDeepDANOptions options = {{1, 2, 2}, 3}) {
  return MaskedDeepDAN(structure, options);
}

std::map<std::string, MaskedLayerRef> layers_by_name(MaskedDeepDAN& model) {
  std::map<std::string, MaskedLayerRef> layers;
  for (auto& ref : model->masked_layers()) layers.emplace(ref.name, ref);
  return layers;
}

// linear(x, W * M, b) with a masked layer's own tensors, [batch, features] layout.
torch::Tensor apply(const MaskedLayerRef& layer, const torch::Tensor& x) {
  return torch::nn::functional::linear(x, layer.weight * layer.mask, layer.bias);
}


TEST(MaskedDeepDAN, OutputShapeForFlatAndImageInput) {
  auto model = dan_on(small_dag());
  EXPECT_EQ(model->forward(torch::randn({5, 4})).sizes(), (std::vector<std::int64_t>{5, 3}));
  EXPECT_EQ(model->forward(torch::randn({5, 1, 2, 2})).sizes(), (std::vector<std::int64_t>{5, 3}));
}

TEST(MaskedDeepDAN, OneMaskedLayerPerConnectedLayerPairInForwardOrder) {
  auto model = dan_on(small_dag());
  auto refs = model->masked_layers();
  std::vector<std::string> names;
  for (const auto& ref : refs) names.push_back(ref.name);
  EXPECT_EQ(names, (std::vector<std::string>{"input", "main_1", "main_2", "skip_0_2", "main_3", "skip_0_3",
                                             "output"}));
  EXPECT_EQ(refs[3].source_layer, 0);
  EXPECT_EQ(refs[3].target_layer, 2);
  EXPECT_EQ(refs.back().source_layer, 3);
  EXPECT_EQ(refs.back().target_layer, 4);
  EXPECT_EQ(model->num_structure_layers(), 4);
}

TEST(MaskedDeepDAN, MasksAreTheEdgesBetweenLayersInAscendingVertexOrder) {
  auto model = dan_on(small_dag());
  auto layers = layers_by_name(model);
  // layers {0, 1} -> {2} -> {3, 5} -> {4}
  EXPECT_TRUE(torch::equal(layers.at("main_1").mask, torch::tensor({{true, true}})));
  EXPECT_TRUE(torch::equal(layers.at("main_2").mask, torch::tensor({{true}, {true}})));
  EXPECT_TRUE(torch::equal(layers.at("skip_0_2").mask, torch::tensor({{true, false}, {false, false}})));
  EXPECT_TRUE(torch::equal(layers.at("main_3").mask, torch::tensor({{true, false}})));
  EXPECT_TRUE(torch::equal(layers.at("skip_0_3").mask, torch::tensor({{false, true}})));
  EXPECT_TRUE(layers.at("input").mask.all().item<bool>());
  EXPECT_EQ(layers.at("input").mask.sizes(), (std::vector<std::int64_t>{2, 4}));
  EXPECT_TRUE(layers.at("output").mask.all().item<bool>());
  EXPECT_EQ(layers.at("output").mask.sizes(), (std::vector<std::int64_t>{3, 1}));
}

TEST(MaskedDeepDAN, MasksFollowARandomStructureEdgeForEdge) {
  auto structure = random_dag(40, 0.12, 11);
  auto model = dan_on(structure);
  std::int64_t active_hidden = 0;
  for (auto& ref : model->masked_layers()) {
    if (ref.name == "input" || ref.name == "output") continue;
    const auto& sources = structure.vertices(ref.source_layer);
    const auto& targets = structure.vertices(ref.target_layer);
    auto mask = ref.mask;
    ASSERT_EQ(mask.sizes(), (std::vector<std::int64_t>{static_cast<std::int64_t>(targets.size()),
                                                       static_cast<std::int64_t>(sources.size())}));
    for (std::size_t i = 0; i < targets.size(); ++i) {
      for (std::size_t j = 0; j < sources.size(); ++j) {
        EXPECT_EQ(mask[i][j].item<bool>(), structure.has_edge(sources[j], targets[i])) << ref.name;
      }
    }
    active_hidden += ref.active_weight_count();
  }
  EXPECT_EQ(active_hidden, structure.num_edges());
}

TEST(MaskedDeepDAN, SkipLayersExistExactlyWhereTheStructureHasSkipEdges) {
  auto structure = random_dag(40, 0.1, 5);
  std::set<std::pair<std::int64_t, std::int64_t>> skip_pairs;
  for (const auto& edge : structure.edges()) {
    auto from = structure.layer_of(edge.source), to = structure.layer_of(edge.target);
    if (to - from > 1) skip_pairs.insert({from, to});
  }
  ASSERT_FALSE(skip_pairs.empty());
  auto model = dan_on(structure);
  std::set<std::pair<std::int64_t, std::int64_t>> skip_layers;
  std::set<std::int64_t> main_targets;
  for (const auto& ref : model->masked_layers()) {
    if (ref.name.rfind("skip_", 0) == 0) skip_layers.insert({ref.source_layer, ref.target_layer});
    if (ref.name.rfind("main_", 0) == 0) {
      EXPECT_EQ(ref.source_layer + 1, ref.target_layer);
      main_targets.insert(ref.target_layer);
    }
  }
  EXPECT_EQ(skip_layers, skip_pairs);
  EXPECT_EQ(static_cast<std::int64_t>(main_targets.size()), structure.num_layers() - 1);
}

// The seed's forward written out with the model's own layers, [batch, units] layout.
torch::Tensor seed_forward(MaskedDeepDAN& model, const torch::Tensor& x, bool activation_of_sum, bool sinks) {
  auto l = layers_by_name(model);
  auto h0 = torch::relu(apply(l.at("input"), x));
  auto h1 = torch::relu(apply(l.at("main_1"), h0));
  auto h2 = activation_of_sum
                ? torch::relu(apply(l.at("main_2"), h1) + apply(l.at("skip_0_2"), h0))
                : torch::relu(apply(l.at("main_2"), h1)) + torch::relu(apply(l.at("skip_0_2"), h0));
  auto h3 = activation_of_sum
                ? torch::relu(apply(l.at("main_3"), h2) + apply(l.at("skip_0_3"), h0))
                : torch::relu(apply(l.at("main_3"), h2)) + torch::relu(apply(l.at("skip_0_3"), h0));
  // with sinks_to_output vertex 5 (second unit of layer 2) also feeds the outputs, through output_from_2
  auto out = apply(l.at("output"), h3);
  return sinks ? out + apply(l.at("output_from_2"), h2) : out;
}

TEST(MaskedDeepDAN, ForwardIsTheSeedsSumOfActivations) {
  torch::manual_seed(1);
  auto x = torch::randn({6, 4});
  for (bool fused : {true, false}) {
    auto model = dan_on(small_dag(), MaskedDeepDANOptions({4}, 3).fused(fused));
    EXPECT_TRUE(torch::allclose(model->forward(x), seed_forward(model, x, false, false), 1e-5, 1e-6))
        << fused;
  }
}

TEST(MaskedDeepDAN, ActivationOfSumAggregate) {
  torch::manual_seed(2);
  auto x = torch::randn({6, 4});
  for (bool fused : {true, false}) {
    auto model = dan_on(small_dag(),
                        MaskedDeepDANOptions({4}, 3).aggregate(DanAggregate::activation_of_sum).fused(fused));
    EXPECT_TRUE(torch::allclose(model->forward(x), seed_forward(model, x, true, false), 1e-5, 1e-6)) << fused;
  }
}

TEST(MaskedDeepDAN, SinksToOutputFeedsEarlierSinksToTheOutputLayer) {
  torch::manual_seed(3);
  auto x = torch::randn({64, 4}).abs();
  for (bool fused : {true, false}) {
    auto model = dan_on(small_dag(), MaskedDeepDANOptions({4}, 3).sinks_to_output(true).fused(fused));
    EXPECT_EQ(layers_by_name(model).at("output").mask.sizes(), (std::vector<std::int64_t>{3, 1}));
    EXPECT_TRUE(torch::allclose(model->forward(x), seed_forward(model, x, false, true), 1e-5, 1e-6)) << fused;
  }
  // without the option the sink's computation is dead: its incoming weights get no gradient
  for (bool sinks : {false, true}) {
    auto model = dan_on(small_dag(), MaskedDeepDANOptions({4}, 3).sinks_to_output(sinks));
    {
      torch::NoGradGuard no_grad;
      for (auto& parameter : model->parameters()) parameter.abs_().add_(0.1);  // every ReLU passes
    }
    model->forward(x).sum().backward();
    auto sink_row = layers_by_name(model).at("main_2").weight_grad()[1];
    EXPECT_EQ(sink_row.abs().sum().item<float>() > 0.f, sinks);
  }
}

TEST(MaskedDeepDAN, SinksToOutputReadsEachSinkLayerThroughItsOwnMaskedLayer) {
  auto model = dan_on(small_dag(), MaskedDeepDANOptions({4}, 3).sinks_to_output(true));
  auto refs = model->masked_layers();
  ASSERT_EQ(refs.size(), 8u);
  auto sink_ref = refs[refs.size() - 2];
  EXPECT_EQ(sink_ref.name, "output_from_2");
  EXPECT_EQ(sink_ref.source_layer, 2);
  EXPECT_EQ(sink_ref.target_layer, 4);
  EXPECT_FALSE(sink_ref.bias.defined());  // the output's one bias is in "output"
  // layer 2 is {3, 5}; only vertex 5 is a sink
  EXPECT_TRUE(
      torch::equal(sink_ref.mask, torch::tensor({{false, true}, {false, true}, {false, true}})));
  EXPECT_EQ(refs.back().name, "output");
  EXPECT_EQ(refs.back().source_layer, 3);

  // the sink's edges to the outputs are part of the generated structure, and go when pruned
  auto with_output = model->generate_structure(false, true);
  EXPECT_EQ(with_output.num_vertices(), 6 + 3);
  for (std::int64_t out = 6; out < 9; ++out) {
    EXPECT_TRUE(with_output.has_edge(5, out));
    EXPECT_TRUE(with_output.has_edge(4, out));
    EXPECT_FALSE(with_output.has_edge(3, out));
  }
  sink_ref.set_mask(torch::tensor({{false, true}, {false, false}, {false, false}}));
  auto pruned = model->generate_structure(false, true);
  EXPECT_TRUE(pruned.has_edge(5, 6));
  EXPECT_FALSE(pruned.has_edge(5, 7));
  EXPECT_EQ(model->generate_structure(false, false), small_dag());
}

// Two models with identical parameters, fused and per-block, compared on outputs and every gradient.
void expect_fused_matches_per_block(const graph::LayeredGraph& structure, MaskedDeepDANOptions options,
                                    std::int64_t batch) {
  torch::manual_seed(7);
  MaskedDeepDAN fused(structure, options.fused(true));
  torch::manual_seed(7);
  MaskedDeepDAN per_block(structure, options.fused(false));
  torch::manual_seed(8);
  for (auto& ref : fused->masked_layers()) {
    if (ref.name != "input" && ref.name != "output") {
      ref.set_mask(ref.mask & (torch::rand(ref.mask.sizes()) > 0.3));
    }
  }
  auto fused_layers = fused->masked_layers();
  auto per_block_layers = per_block->masked_layers();
  for (std::size_t k = 0; k < fused_layers.size(); ++k)
    per_block_layers[k].set_mask(fused_layers[k].mask);
  auto x = torch::randn({batch, options.input_shape()[0]});
  auto out_fused = fused->forward(x);
  auto out_per_block = per_block->forward(x);
  ASSERT_TRUE(torch::allclose(out_fused, out_per_block, 1e-4, 1e-5));
  (out_fused * out_fused).sum().backward();
  (out_per_block * out_per_block).sum().backward();
  auto fused_parameters = fused->named_parameters();
  auto per_block_parameters = per_block->named_parameters();
  for (const auto& item : fused_parameters) {
    EXPECT_TRUE(torch::allclose(item.value().grad(), per_block_parameters[item.key()].grad(), 1e-3, 1e-4))
        << item.key();
  }
}

TEST(MaskedDeepDAN, FusedKernelMatchesPerBlockOpsOnRandomStructures) {
  for (std::uint64_t seed : {1, 2, 3}) {
    auto structure = random_dag(30, 0.15, seed);
    expect_fused_matches_per_block(structure, MaskedDeepDANOptions({5}, 4), 9);
    expect_fused_matches_per_block(
        structure, MaskedDeepDANOptions({5}, 4).aggregate(DanAggregate::activation_of_sum), 9);
    expect_fused_matches_per_block(structure, MaskedDeepDANOptions({5}, 4).sinks_to_output(true), 1);
  }
}

// Vertices 0..63 -> 64..127: vertex v reads v - 64 and each other of 0..63 with probability 0.5.
std::vector<graph::Edge> half_dense_layer(Rng& rng) {
  std::vector<graph::Edge> edges;
  for (std::int64_t v = 64; v < 128; ++v) {
    edges.push_back({v - 64, v});
    for (std::int64_t u = 0; u < 64; ++u)
      if (u != v - 64 && rng.bernoulli(0.5)) edges.push_back({u, v});
  }
  return edges;
}

TEST(MaskedDeepDAN, FusedKernelMatchesPerBlockOpsOnDenseLayers) {
  // 64 x 64 blocks at half density take the kernel's BLAS branch
  Rng rng(4);
  auto edges = half_dense_layer(rng);
  for (std::int64_t v = 128; v < 168; ++v) {
    for (std::int64_t u = 0; u < 128; ++u)
      if (u >= 64 || rng.bernoulli(0.6)) edges.push_back({u, v});
  }
  graph::LayeredGraph structure(168, edges);
  ASSERT_EQ(structure.num_layers(), 3);
  expect_fused_matches_per_block(structure, MaskedDeepDANOptions({6}, 2), 5);
  expect_fused_matches_per_block(structure,
                                 MaskedDeepDANOptions({6}, 2).aggregate(DanAggregate::activation_of_sum), 5);
}

TEST(MaskedDeepDAN, SecondDerivativesOfFusedAndPerBlockAgree) {
  auto structure = random_dag(20, 0.2, 9);
  std::vector<torch::Tensor> second;
  for (bool fused : {true, false}) {
    torch::manual_seed(3);
    MaskedDeepDAN model(structure, MaskedDeepDANOptions({3}, 2).fused(fused));
    torch::manual_seed(4);
    auto loss = model->forward(torch::randn({4, 3})).pow(2).sum();
    const auto layers = model->masked_layers();
    auto grads = prune::gradients_of(loss, layers, /*retain_graph=*/true, /*create_graph=*/true);
    torch::Tensor penalty = torch::zeros({});
    for (auto& grad : grads) penalty = penalty + grad.pow(2).sum();
    // the last hidden block sits at a nonzero offset in the packed weight
    auto hessian_vector = prune::gradients_of(penalty, {layers[1], layers[layers.size() - 2]}, false, false);
    second.push_back(torch::cat({hessian_vector[0].flatten(), hessian_vector[1].flatten()}));
  }
  EXPECT_GT(second[1].abs().sum().item<float>(), 0.f);
  EXPECT_TRUE(torch::allclose(second[0], second[1], 1e-3, 1e-4));
}

TEST(MaskedDeepDAN, GradientsAreZeroAtMaskedPositions) {
  // seeded: with some masks and weights the single vertex of the last layer is dead for every sample, and
  // then no weight gets a gradient at all
  torch::manual_seed(3);
  auto structure = random_dag(30, 0.3, 2);
  auto model = dan_on(structure, MaskedDeepDANOptions({5}, 3));
  for (auto& ref : model->masked_layers())
    ref.set_mask(ref.mask & (torch::rand(ref.mask.sizes()) > 0.5));
  model->forward(torch::randn({16, 5})).pow(2).sum().backward();
  float active_gradient = 0.f;
  for (auto& ref : model->masked_layers()) {
    auto grad = ref.weight_grad();
    ASSERT_TRUE(grad.defined()) << ref.name;
    EXPECT_EQ(grad.masked_select(~ref.mask).abs().sum().item<float>(), 0.f) << ref.name;
    active_gradient += grad.abs().sum().item<float>();
  }
  EXPECT_GT(active_gradient, 0.f);
}

TEST(MaskedDeepDAN, GenerateStructureKeepsTheVertexIdsAndDropsMaskedEdges) {
  // ids not numbered layer by layer: layers {2, 3, 4} -> {1} -> {0}
  graph::LayeredGraph structure(5, {{4, 1}, {3, 1}, {1, 0}, {4, 0}, {2, 0}});
  auto model = dan_on(structure, MaskedDeepDANOptions({3}, 2));
  EXPECT_EQ(model->generate_structure(false, false), structure);

  auto layers = layers_by_name(model);
  layers.at("skip_0_2").set_mask(torch::tensor({{true, false, false}}));  // columns: vertices 2, 3, 4
  auto pruned = model->generate_structure(false, false);
  EXPECT_EQ(pruned.num_vertices(), 5);
  EXPECT_EQ(pruned.num_edges(), 4);
  EXPECT_FALSE(pruned.has_edge(4, 0));
  EXPECT_TRUE(pruned.has_edge(2, 0));

  auto with_input = model->generate_structure(true, false);
  EXPECT_EQ(with_input.num_vertices(), 3 + 5);
  EXPECT_EQ(with_input.num_edges(), 4 + 3 * 3);
  EXPECT_TRUE(with_input.has_edge(0, 3 + 2));      // feature 0 -> vertex 2
  EXPECT_TRUE(with_input.has_edge(3 + 1, 3 + 0));  // 1 -> 0, shifted by the 3 features

  auto with_both = model->generate_structure(true, true);
  EXPECT_EQ(with_both.num_vertices(), 3 + 5 + 2);
  EXPECT_TRUE(with_both.has_edge(3 + 0, 3 + 5 + 1));  // vertex 0 (last layer) -> output 1
  EXPECT_EQ(with_both.num_edges(), 4 + 9 + 2);
}

TEST(MaskedDeepDAN, StructureModelStructureModelRoundTripGivesIdenticalMasks) {
  auto structure = random_dag(40, 0.12, 21);
  auto first = dan_on(structure);
  auto regenerated = first->generate_structure(false, false);
  EXPECT_EQ(regenerated, structure);
  auto second = dan_on(regenerated);
  auto a = first->masked_layers(), b = second->masked_layers();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].name, b[k].name);
    EXPECT_TRUE(torch::equal(a[k].mask, b[k].mask)) << a[k].name;
  }
}

TEST(MaskedDeepDAN, ReadmeFlowPrunesByMagnitudeAndRebuilds) {
  torch::manual_seed(5);
  auto structure = random_dag(50, 0.15, 3);
  auto model = dan_on(structure, MaskedDeepDANOptions({1, 28, 28}, 10));
  model->apply_mask();
  model->recompute_mask(0.3);
  std::int64_t kept = 0;
  for (auto& ref : model->masked_layers()) {
    if (ref.name == "input" || ref.name == "output") continue;
    kept += ref.active_weight_count();
    EXPECT_TRUE(torch::equal(ref.mask, ref.weight.abs() >= 0.3)) << ref.name;
  }
  auto pruned = model->generate_structure(false, false);
  EXPECT_EQ(pruned.num_edges(), kept);
  EXPECT_LT(pruned.num_edges(), structure.num_edges());
  EXPECT_GT(pruned.num_edges(), 0);
  for (const auto& edge : pruned.edges()) EXPECT_TRUE(structure.has_edge(edge.source, edge.target));
  auto rebuilt = dan_on(pruned, MaskedDeepDANOptions({1, 28, 28}, 10));
  std::int64_t rebuilt_hidden = 0;
  for (auto& ref : rebuilt->masked_layers()) {
    if (ref.name != "input" && ref.name != "output") rebuilt_hidden += ref.active_weight_count();
  }
  EXPECT_EQ(rebuilt_hidden, kept);
  EXPECT_EQ(rebuilt->forward(torch::randn({2, 1, 28, 28})).sizes(), (std::vector<std::int64_t>{2, 10}));
}

TEST(MaskedDeepDAN, LayerNormAddsOneNormPerStructureLayer) {
  auto model = dan_on(small_dag(), MaskedDeepDANOptions({4}, 3).layer_norm(true));
  auto plain = dan_on(small_dag(), MaskedDeepDANOptions({4}, 3));
  // affine weight and bias over each layer's vertices: 2 * (2 + 1 + 2 + 1)
  EXPECT_EQ(model->parameter_count() - plain->parameter_count(), 12);
  auto out = model->forward(torch::randn({5, 4}));
  EXPECT_EQ(out.sizes(), (std::vector<std::int64_t>{5, 3}));
  out.sum().backward();
  EXPECT_TRUE(model->named_parameters()["layer_norm_0.weight"].grad().defined());
}

TEST(MaskedDeepDAN, OtherDtypesRunThePerBlockPath) {
  torch::manual_seed(6);
  auto structure = random_dag(20, 0.2, 4);
  auto model = dan_on(structure, MaskedDeepDANOptions({3}, 2).sinks_to_output(true));
  auto x = torch::randn({4, 3});
  auto single = model->forward(x);
  model->to(torch::kDouble);
  auto twice = model->forward(x.to(torch::kDouble));
  EXPECT_EQ(twice.scalar_type(), torch::kDouble);
  EXPECT_TRUE(torch::allclose(single.to(torch::kDouble), twice, 1e-4, 1e-5));
  // Module::to converts every buffer; the masks stay bool, so selection and structure still read them
  for (const auto& ref : model->masked_layers()) {
    EXPECT_EQ(ref.mask.scalar_type(), torch::kBool) << ref.name;
  }
  EXPECT_EQ(model->generate_structure(false, false), structure);
}

TEST(MaskedDeepDAN, CountsParametersAndPrintsThem) {
  auto model = dan_on(small_dag(), MaskedDeepDANOptions({4}, 3));
  // weights: input 2x4, main_1 1x2, main_2 2x1, skip_0_2 2x2, main_3 1x2, skip_0_3 1x2, output 3x1
  const std::int64_t weights = 8 + 2 + 2 + 4 + 2 + 2 + 3, biases = 2 + 1 + 2 + 2 + 1 + 1 + 3;
  EXPECT_EQ(model->total_weight_count(), weights);
  EXPECT_EQ(model->active_weight_count(), 8 + 2 + 2 + 1 + 1 + 1 + 3);
  EXPECT_EQ(model->parameter_count(), weights + biases);
  EXPECT_EQ(model->active_parameter_count(), weights + biases - (weights - 18));
  std::ostringstream text;
  model->pretty_print(text);
  EXPECT_EQ(text.str(),
            "structlab::nn::MaskedDeepDAN(input=4, vertices=6, layers=4, masked_layers=7, outputs=3, "
            "aggregate=sum_of_activations, sinks_to_output=false, layer_norm=false, parameters=35, "
            "active_weights=18/23)");
}

TEST(MaskedDeepDAN, BadInputsAreClearErrors) {
  EXPECT_THROW(dan_on(graph::LayeredGraph(0)), GraphError);
  auto empty = message_of([] { dan_on(graph::LayeredGraph(0)); });
  EXPECT_NE(empty.find("no vertices"), std::string::npos) << empty;

  graph::LayeredGraph cyclic(3, {{0, 1}, {1, 2}, {2, 0}});
  EXPECT_THROW(dan_on(cyclic), GraphError);
  auto cycle = message_of([&] { dan_on(cyclic); });
  EXPECT_NE(cycle.find("cycle"), std::string::npos) << cycle;

  EXPECT_THROW(dan_on(small_dag(), MaskedDeepDANOptions({0}, 3)), ModelError);
  EXPECT_THROW(dan_on(small_dag(), MaskedDeepDANOptions({4}, 0)), ModelError);
  auto outputs = message_of([] { dan_on(small_dag(), MaskedDeepDANOptions({4}, -2)); });
  EXPECT_NE(outputs.find("num_outputs is -2"), std::string::npos) << outputs;

  auto model = dan_on(small_dag(), MaskedDeepDANOptions({4}, 3));
  EXPECT_THROW(layers_by_name(model).at("skip_0_2").set_mask(torch::ones({2, 3})), ModelError);
  EXPECT_THROW(model->forward(torch::randn({2, 5})), ModelError);
}

TEST(MaskedDeepDAN, HiddenBlocksAreViewsIntoTwoPackedParametersAndOneMask) {
  auto model = dan_on(small_dag(), MaskedDeepDANOptions({4}, 3));
  // input, hidden and output weight and bias: the optimizer sees six tensors, not two per block
  EXPECT_EQ(model->parameters().size(), 6u);
  auto parameters = model->named_parameters();
  ASSERT_NE(parameters.find("hidden_weight"), nullptr);
  ASSERT_NE(parameters.find("hidden_bias"), nullptr);
  ASSERT_NE(model->named_buffers().find("hidden_mask"), nullptr);
  EXPECT_EQ(parameters["hidden_weight"].numel(), 2 + 2 + 4 + 2 + 2);  // main_1 .. skip_0_3, in that order
  EXPECT_EQ(parameters["hidden_bias"].numel(), 1 + 2 + 2 + 1 + 1);

  auto layers = layers_by_name(model);
  const auto& skip = layers.at("skip_0_2");  // entries 4..7 of the packed tensors
  {
    torch::NoGradGuard no_grad;
    skip.weight.fill_(0.5f);
  }
  EXPECT_TRUE(torch::equal(parameters["hidden_weight"].narrow(0, 4, 4), torch::full({4}, 0.5f)));
  skip.set_mask(torch::ones({2, 2}));
  EXPECT_TRUE(model->named_buffers()["hidden_mask"].narrow(0, 4, 4).all().item<bool>());
  EXPECT_EQ(model->active_weight_count(), 18 + 3);
}

TEST(MaskedDeepDAN, FusedKernelFollowsAMaskChangedAfterAForward) {
  auto structure = random_dag(30, 0.2, 6);
  torch::manual_seed(1);
  MaskedDeepDAN fused(structure, MaskedDeepDANOptions({5}, 3));
  torch::manual_seed(1);
  MaskedDeepDAN per_block(structure, MaskedDeepDANOptions({5}, 3).fused(false));
  auto x = torch::randn({7, 5});
  ASSERT_TRUE(torch::allclose(fused->forward(x), per_block->forward(x), 1e-5, 1e-6));
  // prune half of every block through its view: the index lists must be rebuilt
  torch::manual_seed(2);
  auto fused_layers = fused->masked_layers();
  auto per_block_layers = per_block->masked_layers();
  for (std::size_t k = 1; k + 1 < fused_layers.size(); ++k) {
    fused_layers[k].set_mask(fused_layers[k].mask & (torch::rand(fused_layers[k].mask.sizes()) > 0.5));
    per_block_layers[k].set_mask(fused_layers[k].mask);
  }
  EXPECT_TRUE(torch::allclose(fused->forward(x), per_block->forward(x), 1e-5, 1e-6));
}

TEST(MaskedDeepDAN, SparseKernelModesAgreeOnOutputsAndGradients) {
  // 64 x 64 blocks at half density: BLAS under auto and off, index lists under on
  Rng rng(8);
  auto edges = half_dense_layer(rng);
  for (std::int64_t v = 128; v < 140; ++v) edges.push_back({v - 64, v});  // a thin third layer
  graph::LayeredGraph structure(140, edges);
  ASSERT_EQ(structure.num_layers(), 3);
  torch::manual_seed(3);
  MaskedDeepDAN model(structure, MaskedDeepDANOptions({6}, 2).sinks_to_output(true));
  auto x = torch::randn({33, 6});
  std::vector<torch::Tensor> outputs, gradients;
  for (auto mode : {SparseKernels::off, SparseKernels::on, SparseKernels::automatic}) {
    SparseKernelsScope scope(mode);
    model->zero_grad();
    auto out = model->forward(x);
    out.pow(2).sum().backward();
    outputs.push_back(out.detach());
    gradients.push_back(model->named_parameters()["hidden_weight"].grad().clone());
  }
  for (std::size_t k = 1; k < outputs.size(); ++k) {
    EXPECT_TRUE(torch::allclose(outputs[k], outputs[0], 1e-4, 1e-5)) << k;
    EXPECT_TRUE(torch::allclose(gradients[k], gradients[0], 1e-3, 1e-4)) << k;
  }
  const auto mask = model->named_buffers()["hidden_mask"];
  EXPECT_EQ(gradients[1].masked_select(~mask).abs().sum().item<float>(), 0.f);
  EXPECT_GT(gradients[1].abs().sum().item<float>(), 0.f);
}

TEST(MaskedDeepDAN, GradientsOfBlocksAreTheirPlaceInThePackedGradient) {
  torch::manual_seed(4);
  auto structure = random_dag(25, 0.2, 3);
  auto model = dan_on(structure, MaskedDeepDANOptions({5}, 3));
  auto loss = model->forward(torch::randn({8, 5})).pow(2).sum();
  const auto layers = model->masked_layers();
  const auto gradients = prune::gradients_of(loss, layers, /*retain_graph=*/true, /*create_graph=*/false);
  loss.backward();
  // the packed gradient cut by hand: block k's entries follow the blocks before it, row-major
  const auto packed = model->named_parameters()["hidden_weight"].grad();
  std::int64_t offset = 0;
  float total = 0.f;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const auto& weight = layers[k].weight;
    const auto expected = weight.is_view() ? packed.narrow(0, offset, weight.numel()).view(weight.sizes())
                                           : weight.grad();
    if (weight.is_view()) offset += weight.numel();
    EXPECT_TRUE(torch::equal(gradients[k], expected)) << layers[k].name;
    EXPECT_TRUE(torch::equal(layers[k].weight_grad(), expected)) << layers[k].name;
    total += gradients[k].abs().sum().item<float>();
  }
  EXPECT_EQ(offset, packed.numel());
  EXPECT_GT(total, 0.f);
}

TEST(MaskedDeepDAN, AggregateNamesParseAndPrint) {
  EXPECT_EQ(parse_dan_aggregate("activation_of_sum"), DanAggregate::activation_of_sum);
  EXPECT_STREQ(to_string(parse_dan_aggregate("sum_of_activations")), "sum_of_activations");
  EXPECT_THROW(parse_dan_aggregate("max"), ConfigError);
  auto message = message_of([] { parse_dan_aggregate("max"); });
  EXPECT_NE(message.find("'max'"), std::string::npos) << message;
}

}  // namespace
}  // namespace structlab::nn
