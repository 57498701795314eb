// Every built-in pruning strategy on the model kinds whose masked layers are not plain matrices: a CNN's 4-D
// kernels and channel-grouped classifier, an RNN's per-gate views with recurrent (source = target) layers.

#include <gtest/gtest.h>

#include "structlab/nn/masked_cnn.hpp"
#include "structlab/nn/masked_deep_rnn.hpp"
#include "structlab/prune/selection.hpp"
#include "unit/prune/pruner_plugins.hpp"
#include "unit/prune/tiny_model.hpp"

namespace structlab::prune {
namespace {

using testing::rule;

const std::vector<const char*> kStrategies{"magnitude_global",
                                           "magnitude_layerwise",
                                           "magnitude_std",
                                           "random",
                                           "obd",
                                           "taylor",
                                           "neuron",
                                           "snip",
                                           "grasp",
                                           "synflow"};

// Every built-in strategy scores a CNN's 4-D and 3-D masked layers and a step prunes some of them.
TEST(PrunersOnACnn, EveryBuiltInStrategyPrunesConvolutionalLayers) {
  for (const char* name : kStrategies) {
    torch::manual_seed(9);
    nn::MaskedCNN model(nn::MaskedCNNOptions({1, 8, 8}, 3)
                            .channels({3, 4})
                            .kernel_sizes({3, 3})
                            .paddings({1, 1})
                            .hidden_widths({5}));
    const torch::Tensor inputs = torch::randn({4, 6, 1, 8, 8});
    const torch::Tensor targets = torch::randint(3, {4, 6});
    testing::LambdaContext context(1, 4,
                                   [&](nn::MaskedModel& m, std::int64_t batch) {
                                     return torch::cross_entropy_loss(m.forward(inputs[batch]),
                                                                      targets[batch]);
                                   },
                                   {1, 8, 8});
    const auto strategy = testing::make_pruner(name);
    SelectionOptions selection = rule("fraction", 0.3);
    PruneReport report;
    ASSERT_NO_THROW(report = prune_step(*model, *strategy, context, selection)) << name;
    EXPECT_GT(report.pruned(), 0) << name;
    EXPECT_GT(report.layers[0].pruned() + report.layers[1].pruned(), 0)
        << name << ": a conv layer lost weights";
    EXPECT_NO_THROW(model->forward(inputs[0])) << name;
  }
}

// Every built-in strategy scores an LSTM's gate views; a step prunes its recurrent weights too.
TEST(PrunersOnAnRnn, EveryBuiltInStrategyPrunesRecurrentLayers) {
  for (const char* name : kStrategies) {
    torch::manual_seed(10);
    nn::MaskedDeepRNN model(nn::MaskedDeepRNNOptions({6, 3}, 3, {5, 4}));
    const torch::Tensor inputs = torch::randn({4, 8, 6, 3});
    const torch::Tensor targets = torch::randint(3, {4, 8});
    testing::LambdaContext context(1, 4,
                                   [&](nn::MaskedModel& m, std::int64_t batch) {
                                     return torch::cross_entropy_loss(m.forward(inputs[batch]),
                                                                      targets[batch]);
                                   },
                                   {6, 3});
    const auto strategy = testing::make_pruner(name);
    PruneReport report;
    ASSERT_NO_THROW(report = prune_step(*model, *strategy, context, rule("fraction", 0.3))) << name;
    EXPECT_GT(report.pruned(), 0) << name;
    std::int64_t recurrent_pruned = 0;
    for (const auto& layer : report.layers) {
      if (layer.name.find("_hh") != std::string::npos) recurrent_pruned += layer.pruned();
    }
    EXPECT_GT(recurrent_pruned, 0) << name << ": no hidden-to-hidden weight went";
    EXPECT_NO_THROW(model->forward(inputs[0])) << name;
  }
}

}  // namespace
}  // namespace structlab::prune
