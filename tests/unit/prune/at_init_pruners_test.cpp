// The pruners made for pruning at initialisation: SynFlow against scores worked out by hand, GraSP's
// Hessian-gradient product against finite differences of the gradient, SNIP's choice on a hand-set problem, the
// `rounds` each declares, and the exponential densities of the at_init schedule's rounds.

#include <gtest/gtest.h>

#include <cmath>

#include "structlab/error.hpp"
#include "structlab/prune/exponential_densities.hpp"
#include "structlab/prune/gradients.hpp"
#include "structlab/prune/selection.hpp"
#include "unit/prune/pruner_plugins.hpp"
#include "unit/prune/tiny_model.hpp"

namespace structlab::prune {
namespace {

using testing::LambdaContext;
using testing::make_pruner;
using testing::mask_values;

std::vector<double> values_of(const torch::Tensor& tensor) {
  const torch::Tensor flat = tensor.detach().to(torch::kDouble).contiguous().view({-1});
  return {flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel()};
}

// 2 inputs -> 2 hidden (ReLU) -> 1 output, every weight set by hand, biases zero.
std::shared_ptr<testing::TinyModel> two_layer_model() {
  auto model = std::make_shared<testing::TinyModel>(
      std::vector<testing::TinyLayer>{{"hidden", 2, 2, nn::kInputLayer, 0}, {"output", 2, 1, 0, 1}}, 1);
  model->set_weight(0, {1.0f, -2.0f, 3.0f, 0.5f});  // rows: hidden units, columns: inputs
  model->set_weight(1, {-1.0f, 2.0f});
  return model;
}

// With |W1| = [[1, 2], [3, 0.5]], |W2| = [[1, 2]] and x = (1, 1): hidden h = |W1| x = (3, 3.5), R = |W2| h = 10.
// dR/dW1_ij = |W2_i| x_j and dR/dW2_i = h_i, so the scores |dR/dw * w| are
//   W1: [[1*1, 1*2], [2*3, 2*0.5]] = [[1, 2], [6, 1]],   W2: [1*3, 2*3.5] = [3, 7]:
// each weight's magnitude times the flow reaching its input times the flow leaving its output.
TEST(SynFlow, ScoresAreTheSynapticFlowThroughEachWeightWorkedOutByHand) {
  auto model = two_layer_model();
  auto context = testing::no_data_context(1, {2});
  const auto scores = make_pruner("synflow")->score(*model, context);
  ASSERT_EQ(scores.size(), 2u);
  EXPECT_EQ(values_of(scores[0]), (std::vector<double>{1.0, 2.0, 6.0, 1.0}));
  EXPECT_EQ(values_of(scores[1]), (std::vector<double>{3.0, 7.0}));
  // the signs are back afterwards
  EXPECT_EQ(values_of(model->layer(0)->weight), (std::vector<double>{1.0, -2.0, 3.0, 0.5}));
  EXPECT_EQ(values_of(model->layer(1)->weight), (std::vector<double>{-1.0, 2.0}));
}

// Masking W1[1][0] (the 3) leaves h = (3, 0.5), so R = 1*3 + 2*0.5 = 4: the flow is that of the masked network.
TEST(SynFlow, ScoresTheMaskedNetwork) {
  auto model = two_layer_model();
  model->masked_layers()[0].set_mask(torch::tensor({1, 1, 0, 1}).view({2, 2}));
  auto context = testing::no_data_context(1, {2});
  const auto scores = make_pruner("synflow")->score(*model, context);
  EXPECT_EQ(values_of(scores[1]), (std::vector<double>{3.0, 1.0}));
  const auto hidden = values_of(scores[0]);
  EXPECT_EQ(hidden[0], 1.0);
  EXPECT_EQ(hidden[1], 2.0);
  EXPECT_EQ(hidden[3], 1.0);
}

TEST(SynFlow, NeedsTheInputShapeAndRefusesAnOverflowingFlow) {
  auto model = two_layer_model();
  auto without_shape = testing::no_data_context();
  EXPECT_THROW(make_pruner("synflow")->score(*model, without_shape), PluginError);
  model->set_weight(0, {3e38f, 3e38f, 3e38f, 3e38f});
  auto context = testing::no_data_context(1, {2});
  try {
    make_pruner("synflow")->score(*model, context);
    ADD_FAILURE() << "an infinite flow was ranked";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("overflowed"), std::string::npos) << e.what();
  }
  EXPECT_EQ(values_of(model->layer(1)->weight), (std::vector<double>{-1.0, 2.0})) << "restored after a failure";
}

// The chain 2 -> 3 -> 2 -> 1 (ReLU) and L = 1/2 * sum of squared errors over 4 samples, written out again in
// float64 for the reference.
struct ChainProblem {
  std::vector<std::vector<double>> weights{{0.5, -0.3, 0.8, 0.2, -0.6, 0.9}, {0.7, -0.4, 0.3, 0.5, 0.6, -0.2}, {1.2, -0.8}};
  std::vector<std::vector<std::int64_t>> shapes{{3, 2}, {2, 3}, {1, 2}};
  torch::Tensor inputs = torch::tensor({1.0, 2.0, -1.0, 0.5, 0.3, -1.5, 2.0, 1.0}, torch::kDouble).view({4, 2});
  torch::Tensor targets = torch::tensor({0.5, -0.2, 0.1, 1.0}, torch::kDouble).view({4, 1});

  std::shared_ptr<testing::TinyModel> model() const {
    auto m = testing::make_chain_model();
    for (std::size_t l = 0; l < weights.size(); ++l) {
      m->set_weight(l, std::vector<float>(weights[l].begin(), weights[l].end()));
    }
    return m;
  }

  LambdaContext context() const {
    return LambdaContext(1, 1, [this](nn::MaskedModel& model, std::int64_t) {
      return 0.5 * (model.forward(inputs.to(torch::kFloat)) - targets.to(torch::kFloat)).square().sum();
    });
  }

  // ∇L at the float64 weights \p w (one tensor per layer).
  std::vector<torch::Tensor> gradient_at(const std::vector<torch::Tensor>& w) const {
    std::vector<torch::Tensor> leaves;
    for (const auto& t : w) leaves.push_back(t.detach().clone().requires_grad_(true));
    torch::Tensor h = torch::relu(inputs.matmul(leaves[0].t()));
    h = torch::relu(h.matmul(leaves[1].t()));
    const torch::Tensor loss = 0.5 * (h.matmul(leaves[2].t()) - targets).square().sum();
    return torch::autograd::grad({loss}, leaves);
  }

  std::vector<torch::Tensor> weight_tensors() const {
    std::vector<torch::Tensor> w;
    for (std::size_t l = 0; l < weights.size(); ++l) w.push_back(torch::tensor(weights[l], torch::kDouble).view(shapes[l]));
    return w;
  }
};

// H g ≈ (∇L(w + εg) − ∇L(w − εg)) / 2ε; GraSP's score here is w ⊙ Hg (minus the paper's S).
TEST(Grasp, ScoresWeightTimesHessianGradientProductAsFiniteDifferencesGiveIt) {
  ChainProblem problem;
  auto model = problem.model();
  auto context = problem.context();
  const auto scores = make_pruner("grasp")->score(*model, context);

  const auto w = problem.weight_tensors();
  const auto g = problem.gradient_at(w);
  const double epsilon = 1e-6;
  std::vector<torch::Tensor> plus, minus;
  for (std::size_t l = 0; l < w.size(); ++l) {
    plus.push_back(w[l] + epsilon * g[l]);
    minus.push_back(w[l] - epsilon * g[l]);
  }
  const auto gradient_plus = problem.gradient_at(plus), gradient_minus = problem.gradient_at(minus);
  ASSERT_EQ(scores.size(), 3u);
  double largest = 0.0;
  for (std::size_t l = 0; l < w.size(); ++l) {
    const torch::Tensor hessian_gradient = (gradient_plus[l] - gradient_minus[l]) / (2.0 * epsilon);
    const torch::Tensor expected = w[l] * hessian_gradient;
    largest = std::max(largest, expected.abs().max().item<double>());
    const auto got = values_of(scores[l]), want = values_of(expected);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-4) << "layer " << l << " entry " << i;
  }
  EXPECT_GT(largest, 1e-2) << "a problem whose H g vanishes would test nothing";
}

// One layer W [2, 3], x = (1, 1, 1) and L = c · (W x): ∂L/∂W_ij = c_i, so SNIP scores |w_ij * c_i|.
TEST(Snip, PrunesTheSmallestWeightTimesGradient) {
  auto model = std::make_shared<testing::TinyModel>(
      std::vector<testing::TinyLayer>{{"output", 3, 2, nn::kInputLayer, 0}}, 0);
  model->set_weight(0, {1.0f, -4.0f, 0.5f, 2.0f, 0.6f, -3.0f});
  const torch::Tensor coefficients = torch::tensor({1.0f, 0.1f});
  LambdaContext context(1, 1, [&](nn::MaskedModel& m, std::int64_t) {
    return (m.forward(torch::ones({1, 3})) * coefficients).sum();
  });
  const auto pruner = make_pruner("snip");
  const auto scores = pruner->score(*model, context);
  const auto got = values_of(scores[0]);
  const std::vector<double> want{1.0, 4.0, 0.5, 0.2, 0.06, 0.3};
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << i;

  SelectionOptions two;
  two.rule = SelectionRule::count;
  two.amount = 2;
  two.exclude_output = false;
  apply_selection(*model, scores, pruner->granularity(), pruner->scope(), two);
  // 0.06 and 0.2 go; magnitude would have taken the 0.5 and the 0.6
  EXPECT_EQ(mask_values(model->layer(0)), (std::vector<int>{1, 1, 1, 0, 0, 1}));
}

// Two batches with c = (1, 0.1) and (-1, 0.3): the mean gradient is 0 on row 0 and 0.2 on row 1. SNIP takes the
// absolute value of the mean (row 0 scores 0), taylor the mean of the absolute values.
TEST(Snip, AveragesTheGradientBeforeTakingTheAbsoluteValue) {
  auto model = std::make_shared<testing::TinyModel>(
      std::vector<testing::TinyLayer>{{"output", 3, 2, nn::kInputLayer, 0}}, 0);
  model->set_weight(0, {1.0f, -4.0f, 0.5f, 2.0f, 0.6f, -3.0f});
  const std::vector<torch::Tensor> coefficients{torch::tensor({1.0f, 0.1f}), torch::tensor({-1.0f, 0.3f})};
  LambdaContext context(1, 2, [&](nn::MaskedModel& m, std::int64_t b) {
    return (m.forward(torch::ones({1, 3})) * coefficients[static_cast<std::size_t>(b)]).sum();
  });
  Params params;
  params.set("batches", std::int64_t{2});
  const auto got = values_of(make_pruner("snip", params)->score(*model, context)[0]);
  const std::vector<double> want{0.0, 0.0, 0.0, 0.4, 0.12, 0.6};
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << i;
  const auto taylor = values_of(make_pruner("taylor", params)->score(*model, context)[0]);
  EXPECT_NEAR(taylor[0], 1.0, 1e-6) << "taylor averages |w g_b|: (1 + 1) / 2";
}

TEST(AtInitPruners, DeclareTheirRoundsSynFlowAHundred) {
  EXPECT_EQ(make_pruner("synflow")->rounds_at_init(), 100);
  EXPECT_EQ(make_pruner("snip")->rounds_at_init(), 1);
  EXPECT_EQ(make_pruner("grasp")->rounds_at_init(), 1);
  EXPECT_EQ(make_pruner("magnitude_global")->rounds_at_init(), 1) << "the interface's default";
  Params five;
  five.set("rounds", std::int64_t{5});
  EXPECT_EQ(make_pruner("synflow", five)->rounds_at_init(), 5);
}

TEST(AtInitPruners, BadRoundsAreAConfigErrorNamingTheKey) {
  for (const char* name : {"synflow", "snip", "grasp"}) {
    for (std::int64_t rounds : {std::int64_t{0}, std::int64_t{-3}}) {
      Params params;
      params.set("rounds", rounds);
      try {
        make_pruner(name, params);
        ADD_FAILURE() << name << " accepted rounds " << rounds;
      } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("rounds"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(">= 1"), std::string::npos) << e.what();
      }
    }
    Params fractional;
    fractional.set("rounds", 2.5);
    try {
      make_pruner(name, fractional);
      ADD_FAILURE() << name << " accepted rounds 2.5";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("rounds"), std::string::npos) << e.what();
    }
  }
}

TEST(ExponentialDensities, FollowTargetToTheKOverRoundsFromADenseStart) {
  const auto densities = exponential_densities(1.0, 0.1, 4);
  ASSERT_EQ(densities.size(), 4u);
  for (std::size_t k = 0; k < 4; ++k) EXPECT_NEAR(densities[k], std::pow(0.1, double(k + 1) / 4.0), 1e-12) << k;
  EXPECT_EQ(densities.back(), 0.1) << "the last round hits the target exactly";
  // every round keeps the same fraction of what is left
  for (std::size_t k = 1; k < 4; ++k) EXPECT_NEAR(densities[k] / densities[k - 1], std::pow(0.1, 0.25), 1e-12);
  EXPECT_EQ(exponential_densities(1.0, 0.1, 1), (std::vector<double>{0.1}));
}

TEST(ExponentialDensities, StartFromTheNetworksOwnDensity) {
  const auto densities = exponential_densities(0.5, 0.05, 2);
  ASSERT_EQ(densities.size(), 2u);
  EXPECT_NEAR(densities[0], 0.5 * std::sqrt(0.1), 1e-12);
  EXPECT_EQ(densities[1], 0.05);
  EXPECT_EQ(exponential_densities(0.3, 0.5, 3), (std::vector<double>{0.5, 0.5, 0.5})) << "nothing to prune";
}

TEST(ExponentialDensities, RefuseBadRoundsAndDensitiesNamingTheKey) {
  for (std::int64_t rounds : {std::int64_t{0}, std::int64_t{-1}}) {
    try {
      exponential_densities(1.0, 0.1, rounds);
      ADD_FAILURE() << "rounds " << rounds << " accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("pruning.rounds"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(exponential_densities(1.0, 0.0, 3), ConfigError);
  EXPECT_THROW(exponential_densities(1.0, 1.5, 3), ConfigError);
}

}  // namespace
}  // namespace structlab::prune
