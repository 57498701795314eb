// MaskedRecurrent (rnn, gru, lstm) against torch's own recurrent modules, and MaskedDeepRNN's per-gate masked
// layers, unrolled structure and unit removal.

#include <gtest/gtest.h>

#include "structlab/error.hpp"
#include "structlab/nn/masked_deep_rnn.hpp"
#include "structlab/prune/dead_units.hpp"
#include "structlab/prune/selection.hpp"
#include "unit/nn/test_structures.hpp"

namespace structlab::nn {
namespace {

using testing::message_of;
using Shape = std::vector<std::int64_t>;

// Copies \p ours's weights into torch's single-layer module \p theirs (names weight_ih_l0, ...).
void copy_into(const MaskedRecurrent& ours, torch::nn::Module& theirs) {
  torch::NoGradGuard no_grad;
  auto named = theirs.named_parameters();
  named["weight_ih_l0"].copy_(ours->weight_ih);
  named["weight_hh_l0"].copy_(ours->weight_hh);
  named["bias_ih_l0"].copy_(ours->bias_ih);
  named["bias_hh_l0"].copy_(ours->bias_hh);
}

TEST(MaskedRecurrent, UnmaskedMatchesTorchsRnnGruAndLstm) {
  torch::manual_seed(5);
  const torch::Tensor input = torch::randn({3, 7, 4});
  {
    MaskedRecurrent ours(MaskedRecurrentOptions(4, 6, RecurrentCell::rnn));
    torch::nn::RNN theirs(torch::nn::RNNOptions(4, 6).batch_first(true));
    copy_into(ours, *theirs);
    EXPECT_TRUE(torch::allclose(ours->forward(input), std::get<0>(theirs->forward(input)), 1e-5, 1e-6));
  }
  {
    MaskedRecurrent ours(MaskedRecurrentOptions(4, 6, RecurrentCell::gru));
    torch::nn::GRU theirs(torch::nn::GRUOptions(4, 6).batch_first(true));
    copy_into(ours, *theirs);
    EXPECT_TRUE(torch::allclose(ours->forward(input), std::get<0>(theirs->forward(input)), 1e-5, 1e-6));
  }
  {
    MaskedRecurrent ours(MaskedRecurrentOptions(4, 6, RecurrentCell::lstm));
    torch::nn::LSTM theirs(torch::nn::LSTMOptions(4, 6).batch_first(true));
    copy_into(ours, *theirs);
    EXPECT_TRUE(torch::allclose(ours->forward(input), std::get<0>(theirs->forward(input)), 1e-5, 1e-6));
  }
}

TEST(MaskedRecurrent, MaskedWeightsActAsZeroAndGetNoGradient) {
  torch::manual_seed(6);
  const torch::Tensor input = torch::randn({2, 5, 3});
  for (RecurrentCell cell : {RecurrentCell::rnn, RecurrentCell::gru, RecurrentCell::lstm}) {
    MaskedRecurrent layer(MaskedRecurrentOptions(3, 4, cell));
    const torch::Tensor mask_ih = torch::rand(layer->weight_ih.sizes()) > 0.4;
    const torch::Tensor mask_hh = torch::rand(layer->weight_hh.sizes()) > 0.4;
    layer->mask_ih().copy_(mask_ih);
    layer->mask_hh().copy_(mask_hh);
    const torch::Tensor output = layer->forward(input);
    MaskedRecurrent zeroed(MaskedRecurrentOptions(3, 4, cell));
    {
      torch::NoGradGuard no_grad;
      zeroed->weight_ih.copy_(layer->weight_ih * mask_ih);
      zeroed->weight_hh.copy_(layer->weight_hh * mask_hh);
      zeroed->bias_ih.copy_(layer->bias_ih);
      zeroed->bias_hh.copy_(layer->bias_hh);
    }
    EXPECT_TRUE(torch::allclose(output, zeroed->forward(input), 1e-5, 1e-6)) << to_string(cell);
    output.square().sum().backward();
    EXPECT_EQ(layer->weight_ih.grad().masked_select(mask_ih.logical_not()).abs().sum().item<float>(), 0.0f);
    EXPECT_EQ(layer->weight_hh.grad().masked_select(mask_hh.logical_not()).abs().sum().item<float>(), 0.0f);
    EXPECT_GT(layer->weight_hh.grad().abs().sum().item<float>(), 0.0f);
  }
}

TEST(MaskedRecurrent, RefusesAnInputThatIsNotASequenceOfItsWidth) {
  MaskedRecurrent layer(MaskedRecurrentOptions(3, 4, RecurrentCell::gru));
  const std::string message = message_of([&] { layer->forward(torch::randn({2, 5, 4})); });
  EXPECT_NE(message.find("[2, 5, 4]"), std::string::npos) << message;
  EXPECT_NE(message.find("[batch, steps, 3]"), std::string::npos) << message;
  EXPECT_THROW(parse_recurrent_cell("transformer"), ConfigError);
}

MaskedDeepRNN lstm_net() { return MaskedDeepRNN(MaskedDeepRNNOptions({5, 3}, 2, {4, 6})); }

TEST(MaskedDeepRNN, OutputsFromTheLastStep) {
  auto model = lstm_net();
  const torch::Tensor input = torch::randn({7, 5, 3});
  const torch::Tensor output = model->forward(input);
  EXPECT_EQ(output.sizes(), (Shape{7, 2}));
  EXPECT_TRUE(torch::equal(model->forward(input.reshape({7, 15})), output));
  // the output layer reads the last layer's hidden state at the last step
  auto modules = model->named_children();
  auto first = std::dynamic_pointer_cast<MaskedRecurrentImpl>(modules["rnn_0"]);
  auto second = std::dynamic_pointer_cast<MaskedRecurrentImpl>(modules["rnn_1"]);
  auto out = std::dynamic_pointer_cast<MaskedLinearImpl>(modules["output"]);
  ASSERT_TRUE(first && second && out);
  const torch::Tensor expected = out->forward(second->forward(first->forward(input)).select(1, 4));
  EXPECT_TRUE(torch::allclose(output, expected, 1e-6, 1e-7));
  const std::string flat = message_of([] { MaskedDeepRNN(MaskedDeepRNNOptions({1, 28, 28}, 10, {8})); });
  EXPECT_NE(flat.find("[steps, features]"), std::string::npos) << flat;
}

TEST(MaskedDeepRNN, MaskedLayersAreGateViewsOfTheLayersWeights) {
  auto model = lstm_net();
  const auto layers = model->masked_layers();
  ASSERT_EQ(layers.size(), 2u * 8u + 1u);
  const std::vector<std::string> first{"rnn0_ih_i", "rnn0_ih_f", "rnn0_ih_g", "rnn0_ih_o",
                                       "rnn0_hh_i", "rnn0_hh_f", "rnn0_hh_g", "rnn0_hh_o"};
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(layers[i].name, first[i]);
  EXPECT_EQ(layers[0].weight.sizes(), (Shape{4, 3}));
  EXPECT_EQ(layers[4].weight.sizes(), (Shape{4, 4}));
  EXPECT_EQ(layers[4].source_layer, 0);
  EXPECT_EQ(layers[4].target_layer, 0);
  EXPECT_EQ(layers[8].name, "rnn1_ih_i");
  EXPECT_EQ(layers[8].weight.sizes(), (Shape{6, 4}));
  EXPECT_EQ(layers[8].source_layer, 0);
  EXPECT_EQ(layers[16].name, "output");
  EXPECT_EQ(layers[16].source_layer, 1);
  EXPECT_EQ(layers[16].target_layer, 2);
  // gate g's view is rows g*4 .. g*4+3 of the layer's mask
  layers[2].set_mask(torch::zeros({4, 3}));
  const torch::Tensor mask = model->named_buffers()["rnn_0.mask_ih"];
  EXPECT_FALSE(mask.narrow(0, 8, 4).any().item<bool>());
  EXPECT_EQ(mask.sum().item<std::int64_t>(), 12 * 3);
  EXPECT_EQ(model->total_weight_count(), 16 * 3 + 16 * 4 + 24 * 4 + 24 * 6 + 2 * 6);
}

TEST(MaskedDeepRNN, GatesKeepTheirOwnFanShape) {
  auto model = lstm_net();
  const auto layers = model->masked_layers();
  EXPECT_EQ(layers[0].fan_shape(), (Shape{4, 3})) << "a gate's rows, not the [16, 3] matrix";
  EXPECT_EQ(layers[16].fan_shape(), (Shape{2, 6}));
}

TEST(MaskedDeepRNN, AUnitFeedingOnlyItselfCountsAsHavingOutputs) {
  auto model = lstm_net();
  auto layers = model->masked_layers();
  // unit 2 of layer 0: no column in layer 1's input gates, but its own hidden-to-hidden column stays
  for (std::size_t g = 8; g < 12; ++g) layers[g].mask.select(1, 2).fill_(false);
  auto dead = prune::count_dead_units(*model);
  EXPECT_EQ(dead.layers[0].without_outputs, 0);
  for (std::size_t g = 4; g < 8; ++g) layers[g].mask.select(1, 2).fill_(false);
  dead = prune::count_dead_units(*model);
  EXPECT_EQ(dead.layers[0].without_outputs, 1);
}

TEST(MaskedDeepRNN, GateNamesOfEveryCell) {
  EXPECT_EQ(
      MaskedDeepRNN(MaskedDeepRNNOptions({5, 3}, 2, {4}).cell(RecurrentCell::rnn))->masked_layers()[1].name,
      "rnn0_hh");
  const auto gru =
      MaskedDeepRNN(MaskedDeepRNNOptions({5, 3}, 2, {4}).cell(RecurrentCell::gru))->masked_layers();
  ASSERT_EQ(gru.size(), 7u);
  EXPECT_EQ(gru[2].name, "rnn0_ih_n");
  EXPECT_EQ(gru[3].name, "rnn0_hh_r");
}

TEST(MaskedDeepRNN, StructureIsTheNetUnrolledOnce) {
  auto model = lstm_net();
  auto layers = model->masked_layers();
  // hidden-to-hidden 2 -> 1 of layer 0: cleared in three gates only, the edge stays; in all four, it goes
  for (std::size_t g = 4; g < 7; ++g) layers[g].mask[1][2] = false;
  layers[4].mask[3][0] = false;
  layers[5].mask[3][0] = false;
  layers[6].mask[3][0] = false;
  layers[7].mask[3][0] = false;
  const graph::LayeredGraph inner = model->generate_structure(false, false);
  // h0(t-1): 0..3, h0(t): 4..7, h1(t-1): 8..13, h1(t): 14..19
  EXPECT_EQ(inner.num_vertices(), 2 * 4 + 2 * 6);
  EXPECT_EQ(inner.num_edges(), 16 - 1 + 6 * 4 + 36);
  EXPECT_TRUE(inner.has_edge(2, 4 + 1));
  EXPECT_FALSE(inner.has_edge(0, 4 + 3));
  EXPECT_TRUE(inner.has_edge(4 + 3, 14 + 5));
  EXPECT_TRUE(inner.has_edge(8 + 5, 14 + 0));
  EXPECT_TRUE(inner.is_acyclic());
  const graph::LayeredGraph whole = model->generate_structure(true, true);
  EXPECT_EQ(whole.num_vertices(), 3 + 20 + 2);
  EXPECT_EQ(whole.num_edges(), inner.num_edges() + 4 * 3 + 2 * 6);
  EXPECT_TRUE(whole.has_edge(2, 3 + 4));            // input feature 2 -> h0(t) unit 0
  EXPECT_TRUE(whole.has_edge(3 + 14 + 5, 23 + 1));  // h1(t) unit 5 -> output 1
}

TEST(MaskedDeepRNN, RemovingAUnitClearsItsGatesAndWhatReadsIt) {
  auto model = lstm_net();
  std::vector<torch::Tensor> scores;
  for (const auto& layer : model->masked_layers()) {
    torch::Tensor score = torch::ones({layer.out_features()}, torch::kDouble);
    if (layer.name.rfind("rnn0_", 0) == 0) score[1] = 0.5;
    scores.push_back(score);
  }
  prune::SelectionOptions selection;
  selection.rule = prune::SelectionRule::count;
  selection.amount = 1;
  const auto report = prune::apply_selection(*model, scores, plugin::PruningGranularity::unit,
                                             plugin::SelectionScope::global, selection);
  EXPECT_EQ(report.units_pruned, 1);
  const auto layers = model->masked_layers();
  for (std::size_t g = 0; g < 8; ++g) EXPECT_FALSE(layers[g].mask[1].any().item<bool>()) << layers[g].name;
  for (std::size_t g = 4; g < 8; ++g)
    EXPECT_FALSE(layers[g].mask.select(1, 1).any().item<bool>()) << layers[g].name;
  for (std::size_t g = 8; g < 12; ++g)
    EXPECT_FALSE(layers[g].mask.select(1, 1).any().item<bool>()) << layers[g].name;
  const auto dead = prune::count_dead_units(*model);
  EXPECT_EQ(dead.layers[0].dead, 1);
  EXPECT_EQ(dead.units(), 4 + 6);
}

}  // namespace
}  // namespace structlab::nn
