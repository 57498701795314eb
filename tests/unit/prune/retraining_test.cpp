// Pruned weights stay without effect while the model is retrained with SGD momentum and with Adam, even
// though both optimizers carry state from before the pruning.

#include <gtest/gtest.h>

#include <functional>

#include "structlab/prune/selection.hpp"
#include "structlab/random.hpp"
#include "unit/prune/tiny_model.hpp"

namespace structlab::prune {
namespace {

using OptimizerFactory = std::function<std::unique_ptr<torch::optim::Optimizer>(std::vector<torch::Tensor>)>;

torch::Tensor normal_tensor(Rng& rng, std::vector<std::int64_t> shape) {
  torch::Tensor t = torch::empty(shape, torch::kFloat);
  float* values = t.data_ptr<float>();
  for (std::int64_t i = 0; i < t.numel(); ++i) values[i] = static_cast<float>(rng.normal());
  return t;
}

std::shared_ptr<testing::TinyModel> random_model(Rng& rng) {
  auto model = std::make_shared<testing::TinyModel>(
      std::vector<testing::TinyLayer>{
          {"hidden_0", 4, 6, nn::kInputLayer, 0}, {"hidden_1", 6, 5, 0, 1}, {"output", 5, 3, 1, 2}},
      2);
  torch::NoGradGuard no_grad;
  for (auto& ref : model->masked_layers()) {
    ref.weight.copy_(normal_tensor(rng, ref.weight.sizes().vec()) * 0.5);
    ref.bias.copy_(normal_tensor(rng, ref.bias.sizes().vec()) * 0.1);
  }
  return model;
}

void train_steps(testing::TinyModel& model, torch::optim::Optimizer& optimizer, const torch::Tensor& x,
                 const torch::Tensor& y, int steps) {
  for (int step = 0; step < steps; ++step) {
    optimizer.zero_grad();
    torch::Tensor loss = torch::mse_loss(model.forward(x), y);
    loss.backward();
    optimizer.step();
  }
}

void expect_pruned_weights_stay_without_effect(const OptimizerFactory& make_optimizer) {
  Rng rng(2024);
  auto model = random_model(rng);
  const torch::Tensor x = normal_tensor(rng, {16, 4});
  const torch::Tensor y = normal_tensor(rng, {16, 3});
  auto optimizer = make_optimizer(model->parameters());
  train_steps(*model, *optimizer, x, y, 5);  // the optimizer now has momentum / moment estimates

  std::vector<torch::Tensor> scores;
  for (auto& ref : model->masked_layers()) scores.push_back(ref.weight.detach().abs());
  SelectionOptions half;
  half.rule = SelectionRule::fraction;
  half.amount = 0.5;
  PruneReport report = apply_selection(*model, scores, plugin::PruningGranularity::weight,
                                       plugin::SelectionScope::global, half);
  ASSERT_EQ(report.pruned(), 27);  // half of the 24 + 30 hidden weights
  std::vector<torch::Tensor> masks, weights_after_pruning;
  for (auto& ref : model->masked_layers()) {
    masks.push_back(ref.mask.clone());
    weights_after_pruning.push_back(ref.weight.detach().clone());
  }

  train_steps(*model, *optimizer, x, y, 10);

  auto layers = model->masked_layers();
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const auto& layer = layers[k];
    EXPECT_TRUE(torch::equal(layer.mask, masks[k])) << layers[k].name << ": training changed the mask";
    const torch::Tensor pruned = masks[k].logical_not();
    EXPECT_EQ((layer.weight * layer.mask).detach().masked_select(pruned).abs().sum().item<float>(), 0.0f)
        << layers[k].name;
    // training did happen: the surviving weights moved
    EXPECT_FALSE(torch::equal(layer.weight.detach().masked_select(masks[k]),
                              weights_after_pruning[k].masked_select(masks[k])))
        << layers[k].name;
  }

  // whatever value an optimizer leaves in a pruned position, the network does not see it
  const torch::Tensor before = model->forward(x).detach();
  {
    torch::NoGradGuard no_grad;
    for (std::size_t k = 0; k < layers.size(); ++k)
      layers[k].weight.masked_fill_(masks[k].logical_not(), 1000.0f);
  }
  EXPECT_TRUE(torch::equal(model->forward(x).detach(), before));
  // and no gradient reaches it
  optimizer->zero_grad();
  torch::mse_loss(model->forward(x), y).backward();
  for (std::size_t k = 0; k < layers.size(); ++k) {
    EXPECT_EQ(layers[k].weight.grad().masked_select(masks[k].logical_not()).abs().sum().item<float>(),
              0.0f)
        << layers[k].name;
  }
}

TEST(Retraining, PrunedWeightsStayWithoutEffectUnderSgdWithMomentum) {
  expect_pruned_weights_stay_without_effect([](std::vector<torch::Tensor> parameters) {
    return std::make_unique<torch::optim::SGD>(
        parameters, torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(1e-3));
  });
}

TEST(Retraining, PrunedWeightsStayWithoutEffectUnderAdam) {
  expect_pruned_weights_stay_without_effect([](std::vector<torch::Tensor> parameters) {
    return std::make_unique<torch::optim::Adam>(parameters,
                                                torch::optim::AdamOptions(0.01).weight_decay(1e-3));
  });
}

}  // namespace
}  // namespace structlab::prune
