// MaskedConv2d and the LeNet-5-style MaskedCNN: masked convolution, the masked-layer views, the channel
// graph.

#include "structlab/nn/masked_cnn.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include "structlab/error.hpp"
#include "structlab/nn/init_generator.hpp"
#include "structlab/prune/dead_units.hpp"
#include "unit/nn/test_structures.hpp"

namespace structlab::nn {
namespace {

using testing::message_of;
using Shape = std::vector<std::int64_t>;

MaskedCNN lenet() { return MaskedCNN(MaskedCNNOptions({1, 28, 28}, 10)); }

TEST(MaskedConv2d, ForwardConvolvesWithTheMaskedWeight) {
  torch::manual_seed(3);
  MaskedConv2d conv(MaskedConv2dOptions(2, 3, 3).padding(1));
  torch::Tensor mask = torch::rand({3, 2, 3, 3}) > 0.5;
  conv->mask().copy_(mask);
  const torch::Tensor input = torch::randn({4, 2, 6, 5});
  const torch::Tensor expected = torch::conv2d(input, conv->weight * mask, conv->bias, 1, 1);
  const torch::Tensor output = conv->forward(input);
  EXPECT_EQ(output.sizes(), (Shape{4, 3, 6, 5}));
  EXPECT_TRUE(torch::allclose(output, expected, 1e-5, 1e-6));
}

TEST(MaskedConv2d, MaskedWeightsGetNoGradient) {
  torch::manual_seed(4);
  MaskedConv2d conv(MaskedConv2dOptions(2, 3, 3));
  conv->mask()[1][0].fill_(false);
  conv->forward(torch::randn({2, 2, 5, 5})).square().sum().backward();
  EXPECT_EQ(conv->weight.grad()[1][0].abs().sum().item<float>(), 0.0f);
  EXPECT_GT(conv->weight.grad()[1][1].abs().sum().item<float>(), 0.0f);
}

TEST(MaskedConv2d, StartsAsTorchConv2dDoesWithinOneOverRootFanIn) {
  MaskedConv2d conv(MaskedConv2dOptions(16, 32, 5));
  const double bound = 1.0 / std::sqrt(16.0 * 25.0);
  const double largest = conv->weight.abs().max().item<double>();
  EXPECT_LE(largest, bound);
  EXPECT_GT(largest, 0.95 * bound);  // 12800 uniform draws come close to the bound
  EXPECT_LE(conv->bias.abs().max().item<double>(), bound);
  EXPECT_TRUE(conv->mask().all().item<bool>());
}

TEST(MaskedConv2d, DrawsItsInitialWeightsFromTheInitialisationGenerator) {
  auto first = [] {
    InitGeneratorGuard guard(at::make_generator<at::CPUGeneratorImpl>(11));
    return MaskedConv2d(MaskedConv2dOptions(2, 3, 3))->weight.clone();
  };
  EXPECT_TRUE(torch::equal(first(), first()));
}

TEST(MaskedConv2d, RefusesBadOptionsAndInputsNamingTheShapes) {
  EXPECT_NE(message_of([] { MaskedConv2d(MaskedConv2dOptions(0, 3, 3)); }).find("in_channels=0"),
            std::string::npos);
  MaskedConv2d conv(MaskedConv2dOptions(2, 3, 5));
  const std::string wrong_channels = message_of([&] { conv->forward(torch::randn({1, 3, 8, 8})); });
  EXPECT_NE(wrong_channels.find("[1, 3, 8, 8]"), std::string::npos) << wrong_channels;
  EXPECT_NE(wrong_channels.find("[batch, 2, h, w]"), std::string::npos) << wrong_channels;
  EXPECT_THROW(conv->forward(torch::randn({1, 2, 4, 8})), ModelError);  // smaller than the kernel
}

TEST(MaskedConv2d, MaskStaysBoolThroughDtypeChanges) {
  MaskedConv2d conv(MaskedConv2dOptions(1, 2, 3));
  conv->to(torch::kDouble);
  EXPECT_EQ(conv->mask().scalar_type(), torch::kBool);
  EXPECT_EQ(conv->weight.scalar_type(), torch::kDouble);
}

TEST(MaskedCNN, LeNet5ShapesAndParameterCount) {
  auto model = lenet();
  EXPECT_EQ(model->forward(torch::randn({3, 1, 28, 28})).sizes(), (Shape{3, 10}));
  EXPECT_EQ(model->forward(torch::randn({3, 784})).sizes(), (Shape{3, 10}));
  // LeNet-5 with padding 2 on 28x28: 156 + 2416 + 48120 + 10164 + 850
  EXPECT_EQ(model->parameter_count(), 61706);
  EXPECT_EQ(model->num_structure_layers(), 4);
}

TEST(MaskedCNN, MaskedLayersAreKernelsThenChannelGroupedClassifier) {
  auto model = lenet();
  const auto layers = model->masked_layers();
  ASSERT_EQ(layers.size(), 5u);
  const std::vector<std::string> names{"conv_0", "conv_1", "linear_0", "linear_1", "output"};
  const std::vector<Shape> shapes{{6, 1, 5, 5}, {16, 6, 5, 5}, {120, 16, 25}, {84, 120}, {10, 84}};
  for (std::size_t i = 0; i < layers.size(); ++i) {
    EXPECT_EQ(layers[i].name, names[i]);
    EXPECT_EQ(layers[i].weight.sizes(), shapes[i]) << names[i];
    EXPECT_EQ(layers[i].mask.sizes(), shapes[i]) << names[i];
    EXPECT_EQ(layers[i].source_layer, static_cast<std::int64_t>(i) - 1);
    EXPECT_EQ(layers[i].target_layer, static_cast<std::int64_t>(i));
  }
  EXPECT_EQ(layers[0].kernel_numel(), 25);
  EXPECT_EQ(layers[2].kernel_numel(), 25);
  EXPECT_EQ(layers[3].kernel_numel(), 1);
}

TEST(MaskedCNN, FanShapesAreTheLayersOwnShapes) {
  auto model = lenet();
  const auto layers = model->masked_layers();
  EXPECT_EQ(layers[0].fan_shape(), (Shape{6, 1, 5, 5}));
  EXPECT_EQ(layers[2].fan_shape(), (Shape{120, 400})) << "the view's matrix, not [120, 16, 25]";
  EXPECT_EQ(layers[3].fan_shape(), (Shape{84, 120}));
}

TEST(MaskedCNN, ClassifierViewSharesTheLinearLayersMemory) {
  auto model = lenet();
  const auto layers = model->masked_layers();
  layers[2].set_mask(torch::zeros({120, 16, 25}));
  // channel 3's feature map is columns 75..99 of the [120, 400] weight
  const torch::Tensor linear_mask = model->named_buffers()["linear_0.mask"];
  EXPECT_FALSE(linear_mask.any().item<bool>());
  layers[2].mask.select(1, 3).fill_(true);
  EXPECT_TRUE(linear_mask.narrow(1, 75, 25).all().item<bool>());
  EXPECT_EQ(linear_mask.sum().item<std::int64_t>(), 120 * 25);
  const torch::Tensor input = torch::randn({2, 1, 28, 28});
  EXPECT_NO_THROW(model->forward(input));
}

TEST(MaskedCNN, StructureIsTheChannelGraphThenTheNeuronGraph) {
  auto model = lenet();
  const auto layers = model->masked_layers();
  // conv_1: no kernel from channel 2 of stage 0 to channel 5 of stage 1, and one entry alone keeps 4 -> 7
  layers[1].mask[5][2].fill_(false);
  layers[1].mask[7][4].fill_(false);
  layers[1].mask[7][4][2][2] = true;
  // linear_0: unit 9 reads nothing of channel 3
  layers[2].mask[9][3].fill_(false);
  const graph::LayeredGraph inner = model->generate_structure(false, false);
  EXPECT_EQ(inner.num_vertices(), 6 + 16 + 120 + 84);
  EXPECT_EQ(inner.num_edges(), 16 * 6 - 1 + 120 * 16 - 1 + 84 * 120);
  EXPECT_FALSE(inner.has_edge(2, 6 + 5));
  EXPECT_TRUE(inner.has_edge(4, 6 + 7));
  EXPECT_FALSE(inner.has_edge(6 + 3, 22 + 9));
  EXPECT_TRUE(inner.has_edge(6 + 4, 22 + 9));
  const graph::LayeredGraph whole = model->generate_structure(true, true);
  EXPECT_EQ(whole.num_vertices(), 1 + 6 + 16 + 120 + 84 + 10);
  EXPECT_EQ(whole.num_edges(), inner.num_edges() + 6 + 10 * 84);
  EXPECT_EQ(whole.num_layers(), 6);
}

TEST(MaskedCNN, DeadUnitsCountChannels) {
  auto model = lenet();
  const auto layers = model->masked_layers();
  layers[0].mask[2].fill_(false);            // channel 2 of stage 0 reads nothing
  layers[1].mask.select(1, 4).fill_(false);  // channel 4 of stage 0 feeds nothing
  const prune::DeadUnitReport report = prune::count_dead_units(*model);
  ASSERT_EQ(report.layers.size(), 4u);
  EXPECT_EQ(report.layers[0].units, 6);
  EXPECT_EQ(report.layers[0].without_inputs, 1);
  EXPECT_EQ(report.layers[0].without_outputs, 1);
  EXPECT_EQ(report.layers[0].dead, 2);
  EXPECT_EQ(report.units(), 6 + 16 + 120 + 84);
}

TEST(MaskedCNN, RefusesShapesItCannotBuildNamingTheCause) {
  const std::string flat = message_of([] { MaskedCNN(MaskedCNNOptions({784}, 10)); });
  EXPECT_NE(flat.find("[channels, height, width]"), std::string::npos) << flat;
  const std::string shrunk = message_of([] {
    MaskedCNN(MaskedCNNOptions({1, 8, 8}, 10).channels({4, 4}).kernel_sizes({5, 5}).paddings({0, 0}));
  });
  EXPECT_NE(shrunk.find("conv stage 1"), std::string::npos) << shrunk;
  const std::string lists = message_of([] {
    MaskedCNN(MaskedCNNOptions({1, 28, 28}, 10).kernel_sizes({5}));
  });
  EXPECT_NE(lists.find("one entry per conv stage"), std::string::npos) << lists;
}

}  // namespace
}  // namespace structlab::nn
