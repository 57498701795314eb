// The `sequence` dataset: deepstruct's synthetic sequence tasks for recurrent nets. A sample is a run of
// consecutive integers start, start + 1, ..., start + length - 1, padded with zeros to `steps` steps of one
// feature; the target is the start (task `start`) or the sum of the run (task `sum`). Drawn from
// structlab::Rng streams derived from the load seed, so a seed gives the same tensors everywhere.

#include <sstream>
#include <string>

#include "structlab/plugin/dataset.hpp"
#include "structlab/plugin/register.hpp"
#include "structlab/random.hpp"

namespace {

using structlab::Params;
using structlab::Rng;
using structlab::plugin::DataSplit;

class SequenceDataset : public structlab::plugin::Dataset {
 public:
  static structlab::plugin::PluginInfo info() {
    using structlab::optional_param;
    return {
        "synthetic sequences of consecutive integers padded with zeros; the target is their start or their "
        "sum "
        "(regression, deepstruct's recurrent tasks)",
        "1.0.0",
        {optional_param("task", std::string("start"), "start (the first value) or sum (the sum of the run)"),
         optional_param("steps", std::int64_t{20}, "steps per sequence (runs are 2..steps long)"),
         optional_param("max_start", std::int64_t{20}, "largest first value (starts are 1..max_start)"),
         optional_param("train_size", std::int64_t{1000}, "number of training sequences"),
         optional_param("validation_size", std::int64_t{0}, "number of validation sequences (0: none)"),
         optional_param("test_size", std::int64_t{200}, "number of test sequences")}};
  }

  explicit SequenceDataset(const Params& params)
      : task_(params.get_string("task")),
        steps_(params.get_int("steps")),
        max_start_(params.get_int("max_start")),
        train_size_(params.get_int("train_size")),
        validation_size_(params.get_int("validation_size")),
        test_size_(params.get_int("test_size")) {
    if (task_ != "start" && task_ != "sum")
      params.fail("task", "unknown task '" + task_ + "'; expected start or sum");
    if (steps_ < 2 || steps_ > 100000)
      params.fail("steps", "must be in 2..100000 (a run is at least 2 long)");
    if (max_start_ < 1 || max_start_ > 1000000) params.fail("max_start", "must be in 1..1000000");
    if (train_size_ < 1) params.fail("train_size", "must be at least 1");
    if (validation_size_ < 0) params.fail("validation_size", "must be 0 (none) or positive");
    if (test_size_ < 1) params.fail("test_size", "must be at least 1");
  }

  structlab::plugin::DatasetBundle load(std::uint64_t seed) const override {
    structlab::plugin::DatasetBundle bundle;
    // one stream per split: changing one split's size leaves the others' samples as they were
    bundle.train = sample(train_size_, Rng::derive(seed, "sequence-train"));
    if (validation_size_ > 0)
      bundle.validation = sample(validation_size_, Rng::derive(seed, "sequence-validation"));
    bundle.test = sample(test_size_, Rng::derive(seed, "sequence-test"));
    bundle.input_shape = {steps_, 1};
    bundle.num_outputs = 1;
    bundle.task = structlab::plugin::Task::regression;
    std::ostringstream description;
    description << "sequence " << task_ << ": runs of consecutive integers from 1.." << max_start_ << ", 2.."
                << steps_ << " long, zero-padded to " << steps_ << " steps; " << train_size_ << " train, "
                << validation_size_ << " validation, " << test_size_ << " test";
    bundle.description = description.str();
    return bundle;
  }

 private:
  DataSplit sample(std::int64_t count, std::uint64_t stream_seed) const {
    Rng rng(stream_seed);
    auto inputs = torch::zeros({count, steps_, 1}, torch::kFloat32);
    auto targets = torch::empty({count, 1}, torch::kFloat32);
    auto input_access = inputs.accessor<float, 3>();
    auto target_access = targets.accessor<float, 2>();
    for (std::int64_t i = 0; i < count; ++i) {
      const auto start = 1 + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(max_start_)));
      const auto length = 2 + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(steps_ - 1)));
      double sum = 0;
      for (std::int64_t t = 0; t < length; ++t) {
        input_access[i][t][0] = static_cast<float>(start + t);
        sum += static_cast<double>(start + t);
      }
      target_access[i][0] = static_cast<float>(task_ == "start" ? static_cast<double>(start) : sum);
    }
    return {inputs, targets};
  }

  std::string task_;
  std::int64_t steps_;
  std::int64_t max_start_;
  std::int64_t train_size_;
  std::int64_t validation_size_;
  std::int64_t test_size_;
};

}  // namespace

STRUCTLAB_REGISTER_DATASET(SequenceDataset, sequence)
