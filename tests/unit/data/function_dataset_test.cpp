// The `function` dataset plugin: shapes, exact targets, seeded reproducibility, noise and parameter errors.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "dataset_test_support.hpp"
#include "structlab/error.hpp"

namespace structlab::test {
namespace {

using plugin::DatasetBundle;

Params function_params(const std::string& function) {
  Params params("dataset 'function'", "dataset");
  params.set("function", function);
  return params;
}

DatasetBundle load(const Params& params, std::uint64_t seed = 1) {
  return make_dataset("function", params)->load(seed);
}

double seed_example(double x, double y) {
  return 20 + x - 1.8 * (y - 5) + 3 * std::sin(x + 2 * y) * y + std::pow(x / 4, 4) + std::pow(y / 4, 4);
}

TEST(FunctionDataset, SeedExampleTargetsMatchTheFormulaInsideTheBox) {
  Params params = function_params("seed_example");
  params.set("train_size", std::int64_t{300});
  params.set("test_size", std::int64_t{50});
  params.set("low", -2.0);
  params.set("high", 3.0);
  DatasetBundle bundle = load(params);

  EXPECT_EQ(bundle.task, plugin::Task::regression);
  EXPECT_EQ(bundle.num_outputs, 1);
  EXPECT_EQ(bundle.input_shape, (std::vector<std::int64_t>{2}));
  EXPECT_EQ(bundle.train.inputs.sizes(), (std::vector<std::int64_t>{300, 2}));
  EXPECT_EQ(bundle.train.targets.sizes(), (std::vector<std::int64_t>{300, 1}));
  EXPECT_EQ(bundle.test.targets.sizes(), (std::vector<std::int64_t>{50, 1}));
  EXPECT_EQ(bundle.train.inputs.scalar_type(), torch::kFloat32);
  EXPECT_EQ(bundle.train.targets.scalar_type(), torch::kFloat32);
  EXPECT_EQ(bundle.validation.size(), 0);
  EXPECT_GE(bundle.train.inputs.min().item<float>(), -2.0f);
  EXPECT_LT(bundle.train.inputs.max().item<float>(), 3.0f);
  // the box is covered, not a corner of it
  EXPECT_LT(bundle.train.inputs.min().item<float>(), -1.8f);
  EXPECT_GT(bundle.train.inputs.max().item<float>(), 2.8f);
  for (const auto* split : {&bundle.train, &bundle.test}) {
    for (std::int64_t i = 0; i < split->size(); ++i) {
      const double x = split->inputs[i][0].item<float>();
      const double y = split->inputs[i][1].item<float>();
      EXPECT_NEAR(split->targets[i][0].item<float>(), seed_example(x, y), 1e-4);
    }
  }
}

TEST(FunctionDataset, SameSeedGivesIdenticalTensors) {
  Params params = function_params("seed_example");
  params.set("validation_size", std::int64_t{20});
  params.set("noise", 0.5);
  DatasetBundle first = load(params, 42);
  DatasetBundle again = load(params, 42);
  DatasetBundle other = load(params, 43);
  for (auto part : {&DatasetBundle::train, &DatasetBundle::validation, &DatasetBundle::test}) {
    EXPECT_TRUE(torch::equal((first.*part).inputs, (again.*part).inputs));
    EXPECT_TRUE(torch::equal((first.*part).targets, (again.*part).targets));
    EXPECT_FALSE(torch::equal((first.*part).inputs, (other.*part).inputs));
  }
  EXPECT_EQ(first.validation.size(), 20);
}

TEST(FunctionDataset, SineAndProductHaveTheirDimensions) {
  DatasetBundle sine = load(function_params("sine"));
  EXPECT_EQ(sine.input_shape, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(sine.train.inputs.sizes(), (std::vector<std::int64_t>{1000, 1}));
  EXPECT_TRUE(torch::allclose(sine.train.targets, torch::sin(sine.train.inputs), 1e-5, 1e-5));

  DatasetBundle product = load(function_params("product"));
  EXPECT_EQ(product.input_shape, (std::vector<std::int64_t>{2}));
  auto expected = (product.test.inputs.select(1, 0) * product.test.inputs.select(1, 1)).unsqueeze(1);
  EXPECT_TRUE(torch::allclose(product.test.targets, expected, 1e-5, 1e-4));
}

TEST(FunctionDataset, NoiseHasItsStdOnTrainingTargetsOnly) {
  Params params = function_params("product");
  params.set("train_size", std::int64_t{4000});
  params.set("noise", 0.5);
  DatasetBundle bundle = load(params);
  auto exact_train = (bundle.train.inputs.select(1, 0) * bundle.train.inputs.select(1, 1)).unsqueeze(1);
  auto residual = bundle.train.targets - exact_train;
  EXPECT_NEAR(residual.std().item<double>(), 0.5, 0.03);
  EXPECT_NEAR(residual.mean().item<double>(), 0.0, 0.03);
  auto exact_test = (bundle.test.inputs.select(1, 0) * bundle.test.inputs.select(1, 1)).unsqueeze(1);
  EXPECT_TRUE(torch::allclose(bundle.test.targets, exact_test, 1e-5, 1e-4));
}

TEST(FunctionDataset, UnknownFunctionIsAConfigErrorListingTheKnownOnes) {
  std::string message = message_of<ConfigError>([&] { make_dataset("function", function_params("cosine")); });
  EXPECT_NE(message.find("dataset.function"), std::string::npos) << message;
  EXPECT_NE(message.find("'cosine'"), std::string::npos) << message;
  EXPECT_NE(message.find("seed_example, sine, product"), std::string::npos) << message;
}

TEST(FunctionDataset, EmptyBoxAndNegativeNoiseAreConfigErrors) {
  Params empty_box = function_params("sine");
  empty_box.set("low", 2.0);
  empty_box.set("high", 2.0);
  EXPECT_NE(message_of<ConfigError>([&] { make_dataset("function", empty_box); }).find("dataset.high"),
            std::string::npos);
  Params negative_noise = function_params("sine");
  negative_noise.set("noise", -0.1);
  EXPECT_NE(message_of<ConfigError>([&] { make_dataset("function", negative_noise); }).find("dataset.noise"),
            std::string::npos);
}

}  // namespace
}  // namespace structlab::test
