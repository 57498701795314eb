// Masked-out weights must stay without effect through training, whatever the optimizer does.

#include <gtest/gtest.h>

#include <functional>

#include "structlab/nn/masked_deep_dan.hpp"
#include "structlab/nn/masked_deep_ffn.hpp"
#include "unit/nn/test_structures.hpp"

namespace structlab::nn {
namespace {

using OptimizerFactory = std::function<std::unique_ptr<torch::optim::Optimizer>(std::vector<torch::Tensor>)>;

std::unique_ptr<torch::optim::Optimizer> sgd_momentum_decay(std::vector<torch::Tensor> parameters) {
  return std::make_unique<torch::optim::SGD>(parameters,
                                             torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(1e-2));
}

std::unique_ptr<torch::optim::Optimizer> adam_decay(std::vector<torch::Tensor> parameters) {
  return std::make_unique<torch::optim::Adam>(parameters, torch::optim::AdamOptions(1e-2).weight_decay(1e-2));
}

void mask_a_third_of_every_layer(MaskedModel& model) {
  for (auto& ref : model.masked_layers()) {
    ref.set_mask(ref.mask & (torch::rand(ref.mask.sizes()) > 0.33));
  }
}

// Trains \p model for \p steps and checks after every step that masked positions get no gradient.
void train(MaskedModel& model, const OptimizerFactory& make_optimizer, std::int64_t features, int steps) {
  auto optimizer = make_optimizer(model.parameters());
  auto x = torch::randn({32, features});
  auto y = torch::randn({32, 2});
  for (int step = 0; step < steps; ++step) {
    optimizer->zero_grad();
    torch::mse_loss(model.forward(x), y).backward();
    for (auto& ref : model.masked_layers()) {
      ASSERT_EQ(ref.weight_grad().masked_select(~ref.mask).abs().sum().item<float>(), 0.f)
          << ref.name << " at step " << step;
    }
    optimizer->step();
  }
}

std::vector<torch::Tensor> weights_of(MaskedModel& model) {
  std::vector<torch::Tensor> weights;
  for (auto& ref : model.masked_layers()) weights.push_back(ref.weight.detach().clone());
  return weights;
}

// After apply_mask the stored masked weights are zero; a zero gradient keeps them zero under momentum,
// weight decay and Adam's moments, and the active weights do move.
void expect_hard_masked_weights_stay_zero(MaskedModel& model, const OptimizerFactory& make_optimizer,
                                          std::int64_t features) {
  mask_a_third_of_every_layer(model);
  model.apply_mask();
  auto before = weights_of(model);
  train(model, make_optimizer, features, 150);
  auto refs = model.masked_layers();
  float moved = 0.f;
  for (std::size_t k = 0; k < refs.size(); ++k) {
    const auto& mask = refs[k].mask;
    EXPECT_EQ(refs[k].weight.masked_select(~mask).abs().sum().item<float>(), 0.f) << refs[k].name;
    moved += (refs[k].weight - before[k]).masked_select(mask).abs().sum().item<float>();
  }
  EXPECT_GT(moved, 0.f) << "the active weights did not train";
}

// Without apply_mask the stored masked values drift (weight decay), but never reach the output.
void expect_soft_masked_weights_have_no_effect(MaskedModel& model, const OptimizerFactory& make_optimizer,
                                               std::int64_t features) {
  mask_a_third_of_every_layer(model);
  train(model, make_optimizer, features, 150);
  auto x = torch::randn({8, features});
  auto output = model.forward(x).detach();
  {
    torch::NoGradGuard no_grad;
    for (auto& ref : model.masked_layers()) {
      ref.weight.masked_scatter_(~ref.mask, torch::randn(ref.weight.sizes()) * 100.f);
    }
  }
  EXPECT_TRUE(torch::allclose(model.forward(x), output));
}

TEST(MaskedTraining, FFNUnderSgdWithMomentumAndWeightDecay) {
  torch::manual_seed(1);
  MaskedDeepFFN hard(MaskedDeepFFNOptions({6}, 2, {8, 5}));
  expect_hard_masked_weights_stay_zero(*hard, sgd_momentum_decay, 6);
  MaskedDeepFFN soft(MaskedDeepFFNOptions({6}, 2, {8, 5}));
  expect_soft_masked_weights_have_no_effect(*soft, sgd_momentum_decay, 6);
}

TEST(MaskedTraining, FFNUnderAdam) {
  torch::manual_seed(2);
  MaskedDeepFFN hard(MaskedDeepFFNOptions({6}, 2, {8, 5}));
  expect_hard_masked_weights_stay_zero(*hard, adam_decay, 6);
  MaskedDeepFFN soft(MaskedDeepFFNOptions({6}, 2, {8, 5}));
  expect_soft_masked_weights_have_no_effect(*soft, adam_decay, 6);
}

TEST(MaskedTraining, DANUnderSgdWithMomentumAndWeightDecay) {
  torch::manual_seed(3);
  auto structure = testing::random_dag(25, 0.25, 8);
  MaskedDeepDAN hard(structure, MaskedDeepDANOptions({6}, 2));
  expect_hard_masked_weights_stay_zero(*hard, sgd_momentum_decay, 6);
  MaskedDeepDAN soft(structure, MaskedDeepDANOptions({6}, 2));
  expect_soft_masked_weights_have_no_effect(*soft, sgd_momentum_decay, 6);
}

TEST(MaskedTraining, DANUnderAdam) {
  torch::manual_seed(4);
  auto structure = testing::random_dag(25, 0.25, 9);
  MaskedDeepDAN hard(structure, MaskedDeepDANOptions({6}, 2).aggregate(DanAggregate::activation_of_sum));
  expect_hard_masked_weights_stay_zero(*hard, adam_decay, 6);
  MaskedDeepDAN soft(structure, MaskedDeepDANOptions({6}, 2));
  expect_soft_masked_weights_have_no_effect(*soft, adam_decay, 6);
}

}  // namespace
}  // namespace structlab::nn
