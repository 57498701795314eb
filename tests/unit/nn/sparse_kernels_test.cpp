#include "structlab/nn/sparse_kernels.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <tuple>
#include <vector>

#include "structlab/nn/masked_deep_ffn.hpp"
#include "structlab/nn/masked_linear.hpp"

namespace structlab::nn {
namespace {

// A random mask of the given density, with its first row and last column emptied (empty rows and columns are
// the edge cases of index lists).
torch::Tensor random_mask(std::int64_t out, std::int64_t in, double density) {
  auto mask = torch::rand({out, in}) < density;
  mask[0].fill_(false);
  mask.select(1, in - 1).fill_(false);
  return mask;
}

struct Gradients {
  torch::Tensor output, input, weight, bias;
};

// Output and gradients of loss = sum(output * probe) for one layer, in \p mode.
Gradients run_layer(MaskedLinear& layer, const torch::Tensor& x, const torch::Tensor& probe, SparseKernels mode) {
  SparseKernelsScope scope(mode);
  layer->zero_grad();
  auto input = x.clone().requires_grad_(true);
  auto output = layer->forward(input);
  (output * probe).sum().backward();
  return {output.detach(), input.grad(), layer->weight.grad().clone(),
          layer->bias.defined() ? layer->bias.grad().clone() : torch::Tensor()};
}

void expect_close(const torch::Tensor& actual, const torch::Tensor& expected, const std::string& what) {
  ASSERT_EQ(actual.defined(), expected.defined()) << what;
  if (!actual.defined()) return;
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  EXPECT_TRUE(torch::allclose(actual, expected, 1e-5, 1e-5))
      << what << ": largest difference " << (actual - expected).abs().max().item<double>();
}

class SparseMatchesDense
    : public testing::TestWithParam<std::tuple<std::int64_t, std::int64_t, std::int64_t, double, bool>> {};

TEST_P(SparseMatchesDense, OutputAndEveryGradient) {
  const auto [out, in, batch, density, bias] = GetParam();
  torch::manual_seed(static_cast<std::uint64_t>(out * 1000 + in + batch));
  MaskedLinear layer(MaskedLinearOptions(in, out).bias(bias));
  const auto mask = random_mask(out, in, density);
  layer->set_mask(mask);
  const auto x = torch::randn({batch, in});
  const auto probe = torch::randn({batch, out});
  {
    SparseKernelsScope on(SparseKernels::on);
    ASSERT_TRUE(layer->uses_sparse_path(x));
  }
  const auto sparse = run_layer(layer, x, probe, SparseKernels::on);
  const auto dense = run_layer(layer, x, probe, SparseKernels::off);
  expect_close(sparse.output, dense.output, "output");
  expect_close(sparse.input, dense.input, "input gradient");
  expect_close(sparse.weight, dense.weight, "weight gradient");
  expect_close(sparse.bias, dense.bias, "bias gradient");
  // masked weights get exactly zero gradient
  EXPECT_TRUE(sparse.weight.masked_select(mask.logical_not()).eq(0).all().item<bool>());
}

INSTANTIATE_TEST_SUITE_P(ShapesDensitiesBatches, SparseMatchesDense,
                         testing::Values(std::make_tuple(1, 1, 1, 1.0, true), std::make_tuple(7, 13, 5, 0.5, true),
                                         std::make_tuple(64, 300, 128, 0.05, true),
                                         std::make_tuple(300, 64, 128, 0.02, false),
                                         std::make_tuple(100, 100, 1, 0.1, true),
                                         std::make_tuple(50, 40, 33, 0.0, true),
                                         std::make_tuple(40, 50, 9, 1.0, false),
                                         std::make_tuple(1000, 784, 64, 0.1, true)));

TEST(SparseKernels, ThreeDimensionalInputKeepsItsLeadingShape) {
  torch::manual_seed(3);
  MaskedLinear layer(6, 4);
  layer->set_mask(random_mask(4, 6, 0.5));
  const auto x = torch::randn({2, 3, 6});
  torch::Tensor sparse, dense;
  {
    SparseKernelsScope on(SparseKernels::on);
    sparse = layer->forward(x);
  }
  {
    SparseKernelsScope off(SparseKernels::off);
    dense = layer->forward(x);
  }
  ASSERT_EQ(sparse.sizes(), (std::vector<std::int64_t>{2, 3, 4}));
  expect_close(sparse, dense, "3-D output");
}

TEST(SparseKernels, OutputCanBeChangedInPlaceAndViewedLikeADenseOne) {
  torch::manual_seed(8);
  MaskedLinear layer(30, 20);
  layer->set_mask(random_mask(20, 30, 0.2));
  const auto x = torch::randn({6, 30});
  auto run = [&](SparseKernels mode) {
    SparseKernelsScope scope(mode);
    layer->zero_grad();
    auto out = layer->forward(x);
    out.relu_();  // an in-place op on the output, as in-place activations do
    out.reshape({-1}).sum().backward();
    return std::make_pair(out.detach(), layer->weight.grad().clone());
  };
  const auto sparse = run(SparseKernels::on);
  const auto dense = run(SparseKernels::off);
  expect_close(sparse.first, dense.first, "output after relu_");
  expect_close(sparse.second, dense.second, "weight gradient through relu_");
}

TEST(SparseKernels, ResultDoesNotDependOnTheThreadCount) {
  torch::manual_seed(4);
  MaskedLinear layer(400, 500);
  layer->set_mask(random_mask(500, 400, 0.1));
  const auto x = torch::randn({64, 400});
  const auto probe = torch::randn({64, 500});
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  const auto one = run_layer(layer, x, probe, SparseKernels::on);
  torch::set_num_threads(std::max(2, threads));
  const auto many = run_layer(layer, x, probe, SparseKernels::on);
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(one.output, many.output));
  EXPECT_TRUE(torch::equal(one.input, many.input));
  EXPECT_TRUE(torch::equal(one.weight, many.weight));
}

TEST(SparseKernels, SecondOrderGradientsMatchTheDensePath) {
  // what GraSP asks for: the gradient of a function of the gradient
  torch::manual_seed(5);
  MaskedLinear layer(30, 20);
  layer->set_mask(random_mask(20, 30, 0.3));
  const auto x = torch::randn({8, 30}, torch::requires_grad());
  auto hessian_term = [&](SparseKernels mode) {
    SparseKernelsScope scope(mode);
    auto out = torch::tanh(layer->forward(x)).sum();
    auto grad = torch::autograd::grad({out}, {layer->weight, x}, {}, /*retain_graph=*/true, /*create_graph=*/true);
    auto second = torch::autograd::grad({grad[0].pow(2).sum() + grad[1].pow(2).sum()}, {layer->weight});
    return second[0];
  };
  expect_close(hessian_term(SparseKernels::on), hessian_term(SparseKernels::off), "second-order gradient");
}

TEST(SparseKernels, TrainingUnderEveryOptimizerMatchesTheDensePath) {
  const auto x = torch::randn({32, 50});
  const auto y = torch::randint(10, {32}, torch::kInt64);
  auto train = [&](SparseKernels mode, bool adam) {
    torch::manual_seed(6);
    MaskedDeepFFN model(MaskedDeepFFNOptions({50}, 10, {80, 60}));
    torch::manual_seed(7);
    for (auto& ref : model->masked_layers()) ref.set_mask(torch::rand_like(ref.weight) < 0.2);
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    if (adam) {
      optimizer = std::make_unique<torch::optim::Adam>(model->parameters(),
                                                       torch::optim::AdamOptions(1e-2).weight_decay(1e-3));
    } else {
      optimizer = std::make_unique<torch::optim::SGD>(
          model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(1e-3));
    }
    SparseKernelsScope scope(mode);
    for (int step = 0; step < 5; ++step) {
      optimizer->zero_grad();
      torch::nn::functional::cross_entropy(model->forward(x), y).backward();
      for (auto& ref : model->masked_layers()) {
        EXPECT_TRUE(ref.weight.grad().masked_select(ref.mask.logical_not()).eq(0).all().item<bool>());
      }
      optimizer->step();
    }
    return model->parameters();
  };
  for (bool adam : {false, true}) {
    const auto sparse = train(SparseKernels::on, adam);
    const auto dense = train(SparseKernels::off, adam);
    ASSERT_EQ(sparse.size(), dense.size());
    for (std::size_t i = 0; i < sparse.size(); ++i) {
      EXPECT_TRUE(torch::allclose(sparse[i], dense[i], 1e-4, 1e-5)) << (adam ? "adam" : "sgd") << " parameter " << i;
    }
  }
}

TEST(SparseKernels, AutoFollowsTheDensityAndReDecidesWhenTheMaskChanges) {
  MaskedLinear layer(300, 200);
  const auto x = torch::randn({16, 300});
  SparseKernelsScope automatic(SparseKernels::automatic);
  EXPECT_FALSE(layer->uses_sparse_path(x)) << "all weights active";
  layer->set_mask(torch::rand({200, 300}) < sparse_crossover_density() / 2);
  EXPECT_TRUE(layer->uses_sparse_path(x)) << "well below the crossover";
  torch::Tensor sparse_output = layer->forward(x);
  layer->set_mask(torch::rand({200, 300}) < 0.9);
  EXPECT_FALSE(layer->uses_sparse_path(x)) << "regrown above the crossover";
  // the new mask's output, not the cached pattern's
  SparseKernelsScope on(SparseKernels::on);
  const auto after = layer->forward(x);
  SparseKernelsScope off(SparseKernels::off);
  expect_close(after, layer->forward(x), "output after the mask changed");
  EXPECT_FALSE(torch::allclose(after, sparse_output));
}

TEST(SparseKernels, OnlyFloat32OnTheCpuTakesTheSparsePath) {
  MaskedLinear layer(10, 10);
  layer->set_mask(torch::zeros({10, 10}, torch::kBool));
  SparseKernelsScope on(SparseKernels::on);
  EXPECT_TRUE(layer->uses_sparse_path(torch::randn({2, 10})));
  layer->to(torch::kDouble);
  EXPECT_FALSE(layer->uses_sparse_path(torch::randn({2, 10}, torch::kDouble)));
  SparseKernelsScope off(SparseKernels::off);
  layer->to(torch::kFloat);
  EXPECT_FALSE(layer->uses_sparse_path(torch::randn({2, 10})));
}

TEST(SparseKernels, RuleRefusesSmallLayersAndDenseOnes) {
  EXPECT_FALSE(sparse_path_pays(10, 10, 1, 128)) << "too small to pay";
  EXPECT_TRUE(sparse_path_pays(1000, 1000, 10000, 128));
  EXPECT_FALSE(sparse_path_pays(1000, 1000, 900000, 128));
  EXPECT_FALSE(sparse_path_pays(1000, 1000, 10000, 0));
}

TEST(SparseKernels, ScopesNestAndRestore) {
  EXPECT_EQ(sparse_kernels(), SparseKernels::automatic);
  {
    SparseKernelsScope off(SparseKernels::off);
    {
      SparseKernelsScope on(SparseKernels::on);
      EXPECT_EQ(sparse_kernels(), SparseKernels::on);
    }
    EXPECT_EQ(sparse_kernels(), SparseKernels::off);
  }
  EXPECT_EQ(sparse_kernels(), SparseKernels::automatic);
}

TEST(SparseKernels, ModeNamesRoundTripAndAWrongOneIsNamed) {
  for (auto mode : {SparseKernels::automatic, SparseKernels::on, SparseKernels::off}) {
    EXPECT_EQ(sparse_kernels_from_string(to_string(mode)), mode);
  }
  try {
    sparse_kernels_from_string("fast");
    FAIL() << "no error";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("\"fast\" is not one of auto, on, off"), std::string::npos);
  }
}

TEST(SparseKernels, IsaIsNamed) {
  const auto isa = sparse_kernel_isa();
  EXPECT_TRUE(isa == "avx512" || isa == "avx2" || isa == "x86-64" || isa == "generic") << isa;
}

}  // namespace
}  // namespace structlab::nn
