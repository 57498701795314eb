#include "structlab/nn/masked_linear.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "structlab/error.hpp"
#include "unit/nn/test_structures.hpp"

namespace structlab::nn {
namespace {

using testing::message_of;

TEST(MaskedLinear, StartsWithAnAllTrueMaskOfShapeOutIn) {
  MaskedLinear layer(3, 2);
  EXPECT_EQ(layer->mask().sizes(), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(layer->mask().scalar_type(), torch::kBool);
  EXPECT_TRUE(layer->mask().all().item<bool>());
  EXPECT_EQ(layer->active_weight_count(), 6);
  EXPECT_EQ(layer->total_weight_count(), 6);
}

TEST(MaskedLinear, RegistersWeightBiasAndMask) {
  MaskedLinear layer(3, 2);
  auto parameters = layer->named_parameters();
  ASSERT_TRUE(parameters.contains("weight"));
  ASSERT_TRUE(parameters.contains("bias"));
  EXPECT_TRUE(layer->named_buffers().contains("mask"));
  MaskedLinear without_bias(MaskedLinearOptions(3, 2).bias(false));
  EXPECT_FALSE(without_bias->bias.defined());
  EXPECT_EQ(without_bias->parameters().size(), 1u);
}

TEST(MaskedLinear, ForwardUsesTheMaskedWeight) {
  torch::manual_seed(0);
  MaskedLinear layer(4, 3);
  auto mask = torch::tensor({{1, 0, 1, 0}, {0, 0, 0, 1}, {1, 1, 1, 1}}, torch::kBool);
  layer->set_mask(mask);
  auto x = torch::randn({5, 4});
  auto expected = torch::matmul(x, (layer->weight * mask).t()) + layer->bias;
  EXPECT_TRUE(torch::allclose(layer->forward(x), expected));
  EXPECT_EQ(layer->active_weight_count(), 7);
}

TEST(MaskedLinear, ForwardOfFullMaskEqualsTorchLinear) {
  torch::manual_seed(1);
  MaskedLinear layer(4, 3);
  auto x = torch::randn({2, 4});
  EXPECT_TRUE(
      torch::allclose(layer->forward(x), torch::nn::functional::linear(x, layer->weight, layer->bias)));
}

TEST(MaskedLinear, ApplyMaskZeroesMaskedWeightsOnly) {
  torch::manual_seed(2);
  MaskedLinear layer(3, 2);
  auto before = layer->weight.detach().clone();
  layer->set_mask(torch::tensor({{1, 0, 1}, {0, 1, 1}}));
  layer->apply_mask();
  auto after = layer->weight.detach();
  EXPECT_EQ(after[0][1].item<float>(), 0.f);
  EXPECT_EQ(after[1][0].item<float>(), 0.f);
  EXPECT_EQ(after[0][0].item<float>(), before[0][0].item<float>());
  EXPECT_EQ(after[1][2].item<float>(), before[1][2].item<float>());
}

TEST(MaskedLinear, RecomputeMaskKeepsWeightsAtOrAboveThreshold) {
  MaskedLinear layer(3, 1);
  {
    torch::NoGradGuard no_grad;
    layer->weight.copy_(torch::tensor({{0.1f, -0.5f, 0.7f}}));
  }
  layer->recompute_mask(0.5);
  auto expected = torch::tensor({{false, true, true}});
  EXPECT_TRUE(torch::equal(layer->mask(), expected));
  EXPECT_EQ(layer->active_weight_count(), 2);
}

TEST(MaskedLinear, SetMaskOfWrongShapeNamesBothShapes) {
  MaskedLinear layer(3, 2);
  auto message = message_of([&] { layer->set_mask(torch::ones({3, 2})); });
  EXPECT_THROW(layer->set_mask(torch::ones({3, 2})), ModelError);
  EXPECT_NE(message.find("[3, 2]"), std::string::npos) << message;
  EXPECT_NE(message.find("[2, 3]"), std::string::npos) << message;
}

TEST(MaskedLinear, NonPositiveSizesAreModelErrors) {
  EXPECT_THROW(MaskedLinear(0, 2), ModelError);
  auto message = message_of([] { MaskedLinear(3, -1); });
  EXPECT_NE(message.find("out_features=-1"), std::string::npos) << message;
}

// forward keeps the mask as a float multiplier between calls; every way of changing the mask must reach it
TEST(MaskedLinear, ForwardFollowsEveryMaskChangeBetweenCalls) {
  torch::manual_seed(4);
  MaskedLinear layer(4, 3);
  auto x = torch::randn({5, 4});
  auto masked_linear = [&] {
    return torch::nn::functional::linear(x, layer->weight * layer->mask(), layer->bias);
  };
  EXPECT_TRUE(torch::equal(layer->forward(x), masked_linear()));
  layer->set_mask(torch::tensor({{1, 0, 1, 0}, {0, 0, 0, 1}, {1, 1, 1, 1}}));
  EXPECT_TRUE(torch::allclose(layer->forward(x), masked_linear()));
  layer->mask()[2][0] = false;  // in place through the buffer itself
  EXPECT_TRUE(torch::allclose(layer->forward(x), masked_linear()));
  layer->recompute_mask(0.3);
  EXPECT_TRUE(torch::allclose(layer->forward(x), masked_linear()));
  layer->mask().fill_(true);
  EXPECT_TRUE(torch::equal(layer->forward(x), torch::nn::functional::linear(x, layer->weight, layer->bias)));
}

TEST(MaskedLinear, ForwardFollowsAChangeOfDtype) {
  torch::manual_seed(5);
  MaskedLinear layer(4, 3);
  layer->set_mask(torch::tensor({{1, 0, 1, 0}, {0, 0, 0, 1}, {1, 1, 1, 1}}));
  layer->forward(torch::randn({2, 4}));
  layer->to(torch::kDouble);
  EXPECT_EQ(layer->mask().scalar_type(), torch::kBool);  // Module::to converts buffers; the mask stays bool
  EXPECT_EQ(layer->active_weight_count(), 7);
  auto x = torch::randn({2, 4}, torch::kDouble);
  auto output = layer->forward(x);
  EXPECT_EQ(output.scalar_type(), torch::kDouble);
  EXPECT_TRUE(
      torch::allclose(output, torch::nn::functional::linear(x, layer->weight * layer->mask(), layer->bias)));
}

TEST(MaskedLinear, AllActiveLayerHasTorchLinearGradientsExactly) {
  torch::manual_seed(6);
  MaskedLinear layer(4, 3);
  torch::nn::Linear linear(4, 3);
  {
    torch::NoGradGuard no_grad;
    linear->weight.copy_(layer->weight);
    linear->bias.copy_(layer->bias);
  }
  auto x = torch::randn({8, 4});
  layer->forward(x).pow(2).sum().backward();
  linear->forward(x).pow(2).sum().backward();
  EXPECT_TRUE(torch::equal(layer->weight.grad(), linear->weight.grad()));
  EXPECT_TRUE(torch::equal(layer->bias.grad(), linear->bias.grad()));
}

TEST(MaskedLinear, InputOfWrongWidthIsAModelError) {
  MaskedLinear layer(3, 2);
  EXPECT_THROW(layer->forward(torch::randn({4, 5})), ModelError);
  auto message = message_of([&] { layer->forward(torch::randn({4, 5})); });
  EXPECT_NE(message.find("[4, 5]"), std::string::npos) << message;
  EXPECT_NE(message.find("in_features=3"), std::string::npos) << message;
}

TEST(MaskedLinear, GradientIsZeroAtMaskedPositions) {
  torch::manual_seed(3);
  MaskedLinear layer(4, 3);
  auto mask = torch::rand({3, 4}) > 0.5;
  layer->set_mask(mask);
  layer->forward(torch::randn({8, 4})).pow(2).sum().backward();
  auto grad = layer->weight.grad();
  EXPECT_EQ(grad.masked_select(~mask).abs().sum().item<float>(), 0.f);
  EXPECT_GT(grad.masked_select(mask).abs().sum().item<float>(), 0.f);
}

TEST(MaskedLinear, CloneIsIndependentAndKeepsMask) {
  MaskedLinear layer(3, 2);
  layer->set_mask(torch::tensor({{1, 0, 1}, {0, 1, 1}}));
  auto copy = std::dynamic_pointer_cast<MaskedLinearImpl>(layer->clone());
  ASSERT_NE(copy, nullptr);
  EXPECT_TRUE(torch::equal(copy->mask(), layer->mask()));
  EXPECT_TRUE(torch::equal(copy->weight, layer->weight));
  copy->set_mask(torch::ones({2, 3}));
  EXPECT_EQ(layer->active_weight_count(), 4);
}

TEST(MaskedLinear, PackedLayerLivesOnTheStorageBlock) {
  torch::NoGradGuard no_grad;
  PackedLayerStorage storage{torch::arange(10, torch::kFloat), torch::arange(4, torch::kFloat),
                             torch::ones({10}, torch::kBool), /*weight_offset=*/4, /*bias_offset=*/1};
  MaskedLinear layer(MaskedLinearOptions(3, 2), storage);
  EXPECT_TRUE(torch::equal(layer->weight, torch::tensor({{4.f, 5.f, 6.f}, {7.f, 8.f, 9.f}})));
  EXPECT_TRUE(torch::equal(layer->bias, torch::tensor({1.f, 2.f})));
  EXPECT_TRUE(layer->weight.requires_grad());
  layer->set_mask(torch::tensor({{1, 0, 1}, {1, 1, 1}}));
  EXPECT_FALSE(storage.mask[5].item<bool>());  // written through to the storage
  layer->apply_mask();
  EXPECT_EQ(storage.weight[5].item<float>(), 0.f);
  auto copy = std::dynamic_pointer_cast<MaskedLinearImpl>(layer->clone());
  copy->set_mask(torch::ones({2, 3}));
  EXPECT_FALSE(storage.mask[5].item<bool>());  // the clone owns its tensors

  storage.weight.fill_(1.f);
  auto x = torch::ones({1, 3});
  EXPECT_TRUE(torch::equal(layer->forward(x), torch::tensor({{3.f, 5.f}})));  // 1 + 0 + 1 (+1), 3 (+2)
  storage.mask.fill_(true);  // written through the flat tensor after a forward: the layer sees it
  EXPECT_TRUE(torch::equal(layer->forward(x), torch::tensor({{4.f, 5.f}})));
}

TEST(MaskedLinear, PackedBlockOutsideTheStorageIsAModelError) {
  PackedLayerStorage storage{torch::zeros({5}), torch::zeros({2}), torch::ones({5}, torch::kBool), 0, 0};
  EXPECT_THROW(MaskedLinear(MaskedLinearOptions(3, 2), storage), ModelError);
  auto message = message_of([&] { MaskedLinear(MaskedLinearOptions(3, 2), storage); });
  EXPECT_NE(message.find("5 entries"), std::string::npos) << message;
  // every second entry of 12: not one block of memory
  PackedLayerStorage strided{torch::zeros({12}).slice(0, 0, 12, 2), torch::zeros({2}),
                             torch::ones({6}, torch::kBool), 0, 0};
  message = message_of([&] { MaskedLinear(MaskedLinearOptions(3, 2), strided); });
  EXPECT_NE(message.find("contiguous"), std::string::npos) << message;
}

TEST(MaskedLinear, PrettyPrintShowsActiveWeights) {
  MaskedLinear layer(3, 2);
  layer->set_mask(torch::tensor({{1, 0, 1}, {0, 0, 1}}));
  std::ostringstream text;
  layer->pretty_print(text);
  EXPECT_EQ(text.str(), "structlab::nn::MaskedLinear(in=3, out=2, bias=true, active=3/6)");
}

}  // namespace
}  // namespace structlab::nn
