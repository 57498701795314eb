#include "structlab/nn/masked_deep_ffn.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "structlab/error.hpp"
#include "unit/nn/test_structures.hpp"

namespace structlab::nn {
namespace {

using testing::message_of;

MaskedDeepFFN small_ffn() { return MaskedDeepFFN(MaskedDeepFFNOptions({1, 3, 2}, 3, {5, 4})); }

TEST(MaskedDeepFFN, OutputShapeForFlatAndImageInput) {
  auto model = small_ffn();
  EXPECT_EQ(model->forward(torch::randn({7, 6})).sizes(), (std::vector<std::int64_t>{7, 3}));
  EXPECT_EQ(model->forward(torch::randn({7, 1, 3, 2})).sizes(), (std::vector<std::int64_t>{7, 3}));
}

TEST(MaskedDeepFFN, MaskedLayersConnectConsecutiveStructureLayers) {
  auto model = small_ffn();
  auto layers = model->masked_layers();
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[0].name, "input");
  EXPECT_EQ(layers[1].name, "main_1");
  EXPECT_EQ(layers[2].name, "output");
  EXPECT_EQ(layers[0].source_layer, kInputLayer);
  EXPECT_EQ(layers[0].target_layer, 0);
  EXPECT_EQ(layers[1].source_layer, 0);
  EXPECT_EQ(layers[2].source_layer, 1);
  EXPECT_EQ(layers[2].target_layer, model->num_structure_layers());
  EXPECT_EQ(layers[1].mask.sizes(), (std::vector<std::int64_t>{4, 5}));
}

TEST(MaskedDeepFFN, ForwardIsReluBetweenMaskedLayers) {
  torch::manual_seed(0);
  auto model = small_ffn();
  auto layers = model->masked_layers();
  layers[1].set_mask(torch::rand({4, 5}) > 0.5);
  auto x = torch::randn({4, 6});
  auto linear = [&](std::size_t k, const torch::Tensor& input) {
    return torch::nn::functional::linear(input, layers[k].weight * layers[k].mask, layers[k].bias);
  };
  auto expected = linear(2, torch::relu(linear(1, torch::relu(linear(0, x)))));
  EXPECT_TRUE(torch::allclose(model->forward(x), expected));
}

TEST(MaskedDeepFFN, WithoutHiddenLayersIsOneMaskedLayer) {
  MaskedDeepFFN model(MaskedDeepFFNOptions({4}, 2, {}));
  auto layers = model->masked_layers();
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0].name, "output");
  EXPECT_EQ(model->forward(torch::randn({3, 4})).sizes(), (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(model->generate_structure(true, true).num_edges(), 8);
}

TEST(MaskedDeepFFN, GenerateStructureFollowsTheMasksLayerByLayer) {
  auto model = small_ffn();
  auto layers = model->masked_layers();
  auto hidden_mask = torch::ones({4, 5}, torch::kBool);
  hidden_mask[2][3] = false;  // hidden-0 unit 3 -> hidden-1 unit 2 removed
  layers[1].set_mask(hidden_mask);

  auto hidden_only = model->generate_structure(false, false);
  EXPECT_EQ(hidden_only.num_vertices(), 9);
  EXPECT_EQ(hidden_only.num_edges(), 19);
  EXPECT_TRUE(hidden_only.has_edge(0, 5));
  EXPECT_FALSE(hidden_only.has_edge(3, 5 + 2));
  EXPECT_TRUE(hidden_only.has_edge(3, 5 + 1));

  auto with_input = model->generate_structure(true, false);
  EXPECT_EQ(with_input.num_vertices(), 6 + 9);
  EXPECT_EQ(with_input.num_edges(), 6 * 5 + 19);
  EXPECT_TRUE(with_input.has_edge(5, 6 + 4));  // input feature 5 -> hidden-0 unit 4
  EXPECT_FALSE(with_input.has_edge(6 + 3, 6 + 5 + 2));

  auto with_both = model->generate_structure(true, true);
  EXPECT_EQ(with_both.num_vertices(), 6 + 9 + 3);
  EXPECT_EQ(with_both.num_edges(), 6 * 5 + 19 + 4 * 3);
  EXPECT_TRUE(with_both.has_edge(6 + 5 + 3, 6 + 9 + 2));  // hidden-1 unit 3 -> output 2
  EXPECT_EQ(with_both.num_layers(), 4);

  auto with_output = model->generate_structure(false, true);
  EXPECT_EQ(with_output.num_vertices(), 9 + 3);
  EXPECT_TRUE(with_output.has_edge(5 + 3, 9 + 2));
}

TEST(MaskedDeepFFN, CountsParametersAndActiveWeights) {
  auto model = small_ffn();
  const std::int64_t weights = 6 * 5 + 5 * 4 + 4 * 3, biases = 5 + 4 + 3;
  EXPECT_EQ(model->total_weight_count(), weights);
  EXPECT_EQ(model->parameter_count(), weights + biases);
  model->masked_layers()[1].set_mask(torch::zeros({4, 5}));
  EXPECT_EQ(model->active_weight_count(), weights - 20);
  EXPECT_EQ(model->active_parameter_count(), weights + biases - 20);
  std::ostringstream text;
  model->pretty_print(text);
  EXPECT_EQ(
      text.str(),
      "structlab::nn::MaskedDeepFFN(input=6, hidden=[5, 4], outputs=3, parameters=74, active_weights=42/62)");
}

TEST(MaskedDeepFFN, ApplyAndRecomputeMaskReachEveryLayer) {
  auto model = small_ffn();
  model->recompute_mask(0.2);
  for (auto& ref : model->masked_layers()) {
    EXPECT_TRUE(torch::equal(ref.mask, ref.weight.abs() >= 0.2)) << ref.name;
  }
  model->apply_mask();
  for (auto& ref : model->masked_layers()) {
    EXPECT_EQ(ref.weight.masked_select(~ref.mask).abs().sum().item<float>(), 0.f) << ref.name;
  }
}

TEST(MaskedDeepFFN, BadShapesAreModelErrorsNamingTheProblem) {
  EXPECT_THROW(MaskedDeepFFN(MaskedDeepFFNOptions({}, 3, {4})), ModelError);
  EXPECT_THROW(MaskedDeepFFN(MaskedDeepFFNOptions({1, 0}, 3, {4})), ModelError);
  EXPECT_THROW(MaskedDeepFFN(MaskedDeepFFNOptions({4}, 0, {4})), ModelError);
  EXPECT_THROW(MaskedDeepFFN(MaskedDeepFFNOptions({4}, 3, {4, 0})), ModelError);
  auto width = message_of([] { MaskedDeepFFN(MaskedDeepFFNOptions({4}, 3, {4, 0})); });
  EXPECT_NE(width.find("hidden_widths[1] is 0"), std::string::npos) << width;
  auto shape = message_of([] { MaskedDeepFFN(MaskedDeepFFNOptions({1, 0}, 3, {4})); });
  EXPECT_NE(shape.find("input_shape [1, 0]"), std::string::npos) << shape;
  auto outputs = message_of([] { MaskedDeepFFN(MaskedDeepFFNOptions({4}, 0, {4})); });
  EXPECT_NE(outputs.find("num_outputs is 0"), std::string::npos) << outputs;
}

TEST(MaskedDeepFFN, InputOfWrongSampleSizeIsAModelError) {
  auto model = small_ffn();
  EXPECT_THROW(model->forward(torch::randn({2, 7})), ModelError);
  EXPECT_THROW(model->forward(torch::randn({6})), ModelError);
  auto message = message_of([&] { model->forward(torch::randn({2, 7})); });
  EXPECT_NE(message.find("[2, 7]"), std::string::npos) << message;
}

}  // namespace
}  // namespace structlab::nn
