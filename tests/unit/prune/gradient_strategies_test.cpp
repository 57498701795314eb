// The data-driven strategies: OBD on a quadratic loss whose Hessian is known, Taylor on a linear loss
// whose gradient is known.

#include <gtest/gtest.h>

#include "structlab/error.hpp"
#include "structlab/prune/gradients.hpp"
#include "structlab/prune/selection.hpp"
#include "unit/prune/pruner_plugins.hpp"
#include "unit/prune/tiny_model.hpp"

namespace structlab::prune {
namespace {

using testing::LambdaContext;
using testing::make_pruner;
using testing::mask_values;

SelectionOptions count_rule(double count, bool exclude_output = true) {
  SelectionOptions selection;
  selection.rule = SelectionRule::count;
  selection.amount = count;
  selection.exclude_output = exclude_output;
  return selection;
}

Params obd_params(const std::string& estimator, std::int64_t batches) {
  Params params;
  params.set("estimator", estimator);
  params.set("batches", batches);
  return params;
}

// One linear layer W [2, 3] (the output layer) and L_b = 1/2 * sum_n |W x_n - t_n|^2 over batch b. Its
// Hessian is diagonal in the sense OBD needs: d^2 L_b / d W_ij^2 = sum_n x_nj^2.
struct QuadraticProblem {
  std::vector<torch::Tensor> inputs{
      torch::tensor({1.0, 10.0, 0.1, 2.0, -10.0, 0.3}, torch::kDouble).view({2, 3}),  // h = {5, 200, 0.1}
      torch::tensor({-1.0, 5.0, 0.2, 1.0, 5.0, -0.1}, torch::kDouble).view({2, 3}),   // h = {2, 50, 0.05}
      torch::tensor({0.0, 0.0, 100.0, 0.0, 0.0, 100.0}, torch::kDouble)
          .view({2, 3})};  // never used: batches = 2
  std::vector<torch::Tensor> targets{torch::tensor({1.0, -1.0, 0.0, 2.0}, torch::kDouble).view({2, 2}),
                                     torch::tensor({0.5, 0.5, -1.0, 1.0}, torch::kDouble).view({2, 2}),
                                     torch::tensor({0.0, 0.0, 0.0, 0.0}, torch::kDouble).view({2, 2})};
  torch::Tensor weight = torch::tensor({1.0, 0.5, 3.0, 2.0, 0.2, 4.0}, torch::kDouble).view({2, 3});

  std::shared_ptr<testing::TinyModel> model() const {
    auto m = std::make_shared<testing::TinyModel>(
        std::vector<testing::TinyLayer>{{"output", 3, 2, nn::kInputLayer, 0}}, 0);
    m->set_weight(0, {1.0f, 0.5f, 3.0f, 2.0f, 0.2f, 4.0f});
    return m;
  }

  LambdaContext context() const {
    return LambdaContext(1, 3, [this](nn::MaskedModel& model, std::int64_t b) {
      auto residual = model.forward(inputs[b].to(torch::kFloat)) - targets[b].to(torch::kFloat);
      return 0.5 * residual.square().sum();
    });
  }

  // 1/2 * h * w^2 with h the mean over the first two batches of the given per-batch curvature
  template <typename Curvature>
  torch::Tensor saliency(Curvature curvature_of_batch) const {
    torch::Tensor h = (curvature_of_batch(0) + curvature_of_batch(1)) / 2.0;
    return 0.5 * h * weight.square();
  }
};

TEST(MeanOverBatches, AveragesATermOfEachLayersGradientOverTheBatchesAvailable) {
  QuadraticProblem problem;
  auto model = problem.model();
  auto context = problem.context();
  auto gradient_of = [&](int b) {
    torch::Tensor residual = problem.inputs[b].matmul(problem.weight.t()) - problem.targets[b];
    return residual.t().matmul(problem.inputs[b]);
  };
  int calls = 0;
  auto plain = [&calls](const nn::MaskedLayerRef&, const torch::Tensor& gradient) {
    ++calls;
    return gradient;
  };
  auto two = mean_over_batches(*model, context, 2, false, plain);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].scalar_type(), torch::kDouble);
  EXPECT_TRUE(torch::allclose(two[0], (gradient_of(0) + gradient_of(1)) / 2.0, 1e-4, 1e-5)) << two[0];
  EXPECT_EQ(calls, 2);
  // asking for more batches than the context has uses all three
  auto all = mean_over_batches(*model, context, 10, false, plain);
  EXPECT_TRUE(torch::allclose(all[0], (gradient_of(0) + gradient_of(1) + gradient_of(2)) / 3.0, 1e-4, 1e-5));
  EXPECT_EQ(calls, 5);
  auto no_data = testing::no_data_context();
  EXPECT_THROW(mean_over_batches(*model, no_data, 2, false, plain), DataError);
}

TEST(Obd, ExactDiagonalScoresAreHalfTheHessianTimesTheSquaredWeight) {
  QuadraticProblem problem;
  auto model = problem.model();
  auto context = problem.context();
  auto strategy = make_pruner("obd", obd_params("exact_diagonal", 2));
  const torch::Tensor expected = problem.saliency([&](int b) {
    return problem.inputs[b].square().sum(0).expand({2, 3});  // h_ij = sum_n x_nj^2
  });
  // {1.75, 15.625, 0.3375; 7, 2.5, 0.6}
  auto scores = strategy->score(*model, context);
  ASSERT_EQ(scores.size(), 1u);
  EXPECT_TRUE(torch::allclose(scores[0].to(torch::kDouble), expected, 1e-5, 1e-6)) << scores[0] << expected;
  // the two lowest saliencies are the two largest weights (3 and 4): OBD, not magnitude, decides
  prune_step(*model, *strategy, context, count_rule(2, /*exclude_output=*/false));
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{1, 1, 0, 1, 1, 0}));
  prune_step(*model, *strategy, context, count_rule(2, false));  // then 1.75 and 2.5
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{0, 1, 0, 1, 0, 0}));
}

TEST(Obd, FisherScoresUseTheSquaredBatchGradients) {
  QuadraticProblem problem;
  auto model = problem.model();
  auto context = problem.context();
  auto strategy = make_pruner("obd", obd_params("fisher", 2));
  const torch::Tensor expected = problem.saliency([&](int b) {
    // dL_b/dW = sum_n (W x_n - t_n) x_n^T
    torch::Tensor residual = problem.inputs[b].matmul(problem.weight.t()) - problem.targets[b];
    return residual.t().matmul(problem.inputs[b]).square();
  });
  auto scores = strategy->score(*model, context);
  EXPECT_TRUE(torch::allclose(scores[0].to(torch::kDouble), expected, 1e-4, 1e-6)) << scores[0] << expected;
  // and the selection follows them
  const torch::Tensor lowest = std::get<1>(expected.view({-1}).topk(3, 0, /*largest=*/false));
  std::vector<int> expected_mask(6, 1);
  for (std::int64_t i = 0; i < 3; ++i) expected_mask[lowest[i].item<std::int64_t>()] = 0;
  prune_step(*model, *strategy, context, count_rule(3, false));
  EXPECT_EQ(mask_values(model->layer(0)), expected_mask);
}

TEST(Obd, FisherIsTheDefaultEstimator) {
  QuadraticProblem problem;
  auto model = problem.model();
  auto context = problem.context();
  Params two_batches;
  two_batches.set("batches", std::int64_t{2});
  auto by_default = make_pruner("obd", two_batches)->score(*model, context);
  auto fisher = make_pruner("obd", obd_params("fisher", 2))->score(*model, context);
  EXPECT_TRUE(torch::equal(by_default[0], fisher[0]));
}

TEST(Obd, AContextWithoutBatchesIsADataError) {
  QuadraticProblem problem;
  auto model = problem.model();
  auto context = testing::no_data_context();
  EXPECT_THROW(make_pruner("obd")->score(*model, context), DataError);
  EXPECT_THROW(make_pruner("taylor")->score(*model, context), DataError);
}

// L_b = sum over layers of sum(effective_weight * C_b): dL_b/dW = mask * C_b, known exactly.
TEST(Taylor, ScoresTheMeanOverBatchesOfAbsoluteWeightTimesGradient) {
  auto model = testing::make_chain_model();
  model->set_weight(0, {1, 1, 1, 1, 1, 1});
  model->set_weight(1, {2, 2, 2, 2, 2, 2});
  model->set_weight(2, {1, 1});
  // hidden_0: batches 0 and 1 have opposite signs in places, so |mean g| would be 0 there but the mean
  // of |w g| is {3, 2, 1, 5, 0.5, 4}; batch 2 is outside `batches` and would protect entry 4
  const std::vector<std::vector<torch::Tensor>> coefficients{
      {torch::tensor({3.0f, -2.0f, 1.0f, 5.0f, 0.5f, 4.0f}).view({3, 2}), torch::full({2, 3}, 3.0f),
       torch::zeros({1, 2})},
      {torch::tensor({-3.0f, 2.0f, 1.0f, 5.0f, 0.5f, -4.0f}).view({3, 2}), torch::full({2, 3}, 3.0f),
       torch::zeros({1, 2})},
      {torch::tensor({0.0f, 0.0f, 0.0f, 0.0f, 100.0f, 0.0f}).view({3, 2}), torch::zeros({2, 3}),
       torch::zeros({1, 2})}};
  LambdaContext context(1, 3, [&](nn::MaskedModel& m, std::int64_t b) {
    torch::Tensor loss = torch::zeros({});
    auto layers = m.masked_layers();
    for (std::size_t k = 0; k < layers.size(); ++k) {
      loss = loss + (layers[k].weight * layers[k].mask * coefficients[b][k]).sum();
    }
    return loss;
  });
  Params params;
  params.set("batches", std::int64_t{2});
  auto strategy = make_pruner("taylor", params);
  auto scores = strategy->score(*model, context);
  EXPECT_TRUE(torch::allclose(scores[0].to(torch::kDouble),
                              torch::tensor({3.0, 2.0, 1.0, 5.0, 0.5, 4.0}, torch::kDouble).view({3, 2})));
  EXPECT_TRUE(
      torch::allclose(scores[1].to(torch::kDouble), torch::full({2, 3}, 6.0, torch::kDouble)));  // |2 * 3|
  prune_step(*model, *strategy, context, count_rule(3));                                         // 0.5, 1, 2
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{1, 0, 0, 1, 0, 1}));
  EXPECT_EQ(mask_values(model->layer(1)), (std::vector<int>{1, 1, 1, 1, 1, 1}));
}

TEST(GradientsOf, AWeightViewingANonContiguousTensorIsANamedModelError) {
  // a weight laid out column by column: its gradient's layout is not the view's place in it
  const torch::Tensor packed = torch::empty_strided({3, 4}, {1, 3}).fill_(1.f).requires_grad_();
  const nn::MaskedLayerRef ref("odd", packed.narrow(0, 0, 2), torch::Tensor(), torch::ones({2, 4}, torch::kBool),
                               nn::kInputLayer, 0);
  const torch::Tensor output = (ref.weight * 2).sum();
  std::string message;
  try {
    gradients_of(output, {ref}, /*retain_graph=*/true, /*create_graph=*/false);
  } catch (const ModelError& error) {
    message = error.what();
  }
  EXPECT_EQ(message, "masked layer 'odd': its weight is a view into a non-contiguous tensor");
  output.backward();
  EXPECT_THROW(ref.weight_grad(), ModelError);
}

}  // namespace
}  // namespace structlab::prune
