// The `sequence` dataset plugin: runs of consecutive integers, their start or sum as target, seeded draws.

#include <gtest/gtest.h>

#include <set>

#include "dataset_test_support.hpp"
#include "structlab/error.hpp"

namespace structlab::test {
namespace {

using plugin::DatasetBundle;

Params sequence_params(const std::string& task) {
  Params params("dataset 'sequence'", "dataset");
  params.set("task", task);
  params.set("steps", std::int64_t{6});
  params.set("max_start", std::int64_t{9});
  params.set("train_size", std::int64_t{400});
  params.set("test_size", std::int64_t{50});
  return params;
}

// Every sample is start, start + 1, ... for 2..steps steps, then zeros; returns (start, length, sum) per
// sample.
void expect_runs(const torch::Tensor& inputs, const torch::Tensor& targets, bool sum_task) {
  std::set<std::int64_t> starts, lengths;
  for (std::int64_t i = 0; i < inputs.size(0); ++i) {
    const auto values = inputs[i].flatten();
    const auto start = static_cast<std::int64_t>(values[0].item<float>());
    std::int64_t length = 0;
    double sum = 0;
    while (length < values.size(0) && values[length].item<float>() != 0.0f) {
      EXPECT_EQ(values[length].item<float>(), static_cast<float>(start + length)) << "sample " << i;
      sum += static_cast<double>(start + length);
      ++length;
    }
    for (std::int64_t t = length; t < values.size(0); ++t) EXPECT_EQ(values[t].item<float>(), 0.0f);
    EXPECT_GE(start, 1);
    EXPECT_LE(start, 9);
    EXPECT_GE(length, 2);
    EXPECT_EQ(targets[i][0].item<float>(), static_cast<float>(sum_task ? sum : static_cast<double>(start)));
    starts.insert(start);
    lengths.insert(length);
  }
  EXPECT_EQ(starts.size(), 9u) << "every start 1..9 drawn";
  EXPECT_EQ(lengths.size(), 5u) << "every length 2..6 drawn";
}

TEST(SequenceDataset, StartTaskTargetsTheFirstValue) {
  DatasetBundle bundle = make_dataset("sequence", sequence_params("start"))->load(3);
  EXPECT_EQ(bundle.input_shape, (std::vector<std::int64_t>{6, 1}));
  EXPECT_EQ(bundle.train.inputs.sizes(), (std::vector<std::int64_t>{400, 6, 1}));
  EXPECT_EQ(bundle.test.targets.sizes(), (std::vector<std::int64_t>{50, 1}));
  EXPECT_EQ(bundle.task, plugin::Task::regression);
  EXPECT_EQ(bundle.num_outputs, 1);
  expect_runs(bundle.train.inputs, bundle.train.targets, false);
}

TEST(SequenceDataset, SumTaskTargetsTheSumOfTheRun) {
  DatasetBundle bundle = make_dataset("sequence", sequence_params("sum"))->load(3);
  expect_runs(bundle.train.inputs, bundle.train.targets, true);
}

TEST(SequenceDataset, SameSeedSameSamplesOtherSeedOthers) {
  auto dataset = make_dataset("sequence", sequence_params("start"));
  EXPECT_TRUE(torch::equal(dataset->load(5).train.inputs, dataset->load(5).train.inputs));
  EXPECT_FALSE(torch::equal(dataset->load(5).train.inputs, dataset->load(6).train.inputs));
}

TEST(SequenceDataset, BadParametersNameTheKey) {
  Params task = sequence_params("product");
  const std::string unknown = message_of<ConfigError>([&] { make_dataset("sequence", task); });
  EXPECT_NE(unknown.find("task"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("expected start or sum"), std::string::npos) << unknown;
  Params steps = sequence_params("start");
  steps.set("steps", std::int64_t{1});
  EXPECT_NE(message_of<ConfigError>([&] { make_dataset("sequence", steps); }).find("steps"),
            std::string::npos);
}

}  // namespace
}  // namespace structlab::test
