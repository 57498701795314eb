// The `function` dataset: synthetic function approximation. Inputs are drawn uniformly from a box, targets
// are a built-in function of them (plus optional Gaussian noise on the training targets); all draws come from
// structlab::Rng streams derived from the load seed, so a seed gives the same tensors everywhere.

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "structlab/plugin/dataset.hpp"
#include "structlab/plugin/register.hpp"
#include "structlab/random.hpp"

namespace {

using structlab::Params;
using structlab::Rng;
using structlab::plugin::DataSplit;

// One built-in target function of a point with `dimensions` coordinates.
struct TargetFunction {
  const char* name;
  int dimensions;
  const char* formula;  // for descriptions and the parameter doc
  double (*evaluate)(const double* point);
};

// The seed library's FuncDataset example: a smooth trend, a growing oscillation and quartic walls.
double seed_example(const double* p) {
  const double x = p[0], y = p[1];
  return 20 + x - 1.8 * (y - 5) + 3 * std::sin(x + 2 * y) * y + std::pow(x / 4, 4) + std::pow(y / 4, 4);
}
double sine(const double* p) { return std::sin(p[0]); }
double product(const double* p) { return p[0] * p[1]; }

const std::vector<TargetFunction>& target_functions() {
  static const std::vector<TargetFunction> functions = {
      {"seed_example", 2, "20 + x - 1.8(y - 5) + 3 sin(x + 2y) y + (x/4)^4 + (y/4)^4", &seed_example},
      {"sine", 1, "sin(x)", &sine},
      {"product", 2, "x y", &product},
  };
  return functions;
}

std::string function_names() {
  std::string names;
  for (const auto& function : target_functions())
    names += (names.empty() ? "" : ", ") + std::string(function.name);
  return names;
}

class FunctionDataset : public structlab::plugin::Dataset {
 public:
  static structlab::plugin::PluginInfo info() {
    using structlab::optional_param;
    return {
        "synthetic function approximation: a built-in target sampled uniformly in a box (regression)",
        "1.0.0",
        {optional_param("function", std::string("seed_example"),
                        "target function: one of " + function_names()),
         optional_param("train_size", std::int64_t{1000}, "number of training samples"),
         optional_param("validation_size", std::int64_t{0}, "number of validation samples (0: none)"),
         optional_param("test_size", std::int64_t{200}, "number of test samples"),
         optional_param("low", 0.0, "lower bound of every input coordinate"),
         optional_param("high", 10.0, "upper bound (exclusive) of every input coordinate"),
         optional_param("noise", 0.0, "std of Gaussian noise added to training targets (0: exact targets)")}};
  }

  explicit FunctionDataset(const Params& params)
      : train_size_(params.get_int("train_size")),
        validation_size_(params.get_int("validation_size")),
        test_size_(params.get_int("test_size")),
        low_(params.get_double("low")),
        high_(params.get_double("high")),
        noise_(params.get_double("noise")) {
    const std::string& name = params.get_string("function");
    for (const auto& function : target_functions()) {
      if (function.name == name) function_ = &function;
    }
    if (function_ == nullptr)
      params.fail("function", "unknown function '" + name + "'; expected one of " + function_names());
    if (train_size_ < 1) params.fail("train_size", "must be at least 1");
    if (validation_size_ < 0) params.fail("validation_size", "must be 0 (none) or positive");
    if (test_size_ < 1) params.fail("test_size", "must be at least 1");
    if (!(std::isfinite(low_) && std::isfinite(high_) && low_ < high_)) {
      params.fail("high", "must be finite and greater than low (" + std::to_string(low_) + ")");
    }
    if (!(noise_ >= 0 && std::isfinite(noise_)))
      params.fail("noise", "must be 0 or a positive standard deviation");
  }

  structlab::plugin::DatasetBundle load(std::uint64_t seed) const override {
    structlab::plugin::DatasetBundle bundle;
    // one stream per split: changing one split's size leaves the others' samples as they were
    bundle.train =
        sample(train_size_, Rng::derive(seed, "function-train"), noise_, Rng::derive(seed, "function-noise"));
    if (validation_size_ > 0)
      bundle.validation = sample(validation_size_, Rng::derive(seed, "function-validation"));
    bundle.test = sample(test_size_, Rng::derive(seed, "function-test"));
    bundle.input_shape = {function_->dimensions};
    bundle.num_outputs = 1;
    bundle.task = structlab::plugin::Task::regression;

    std::ostringstream description;
    description << "function " << function_->name << ": f = " << function_->formula << ", inputs uniform in ["
                << low_ << ", " << high_ << ")^" << function_->dimensions << ", " << train_size_ << " train, "
                << validation_size_ << " validation, " << test_size_ << " test";
    if (noise_ > 0) description << ", training noise std " << noise_;
    bundle.description = description.str();
    return bundle;
  }

 private:
  // `count` points uniform in the box with their targets; noise (std `noise_std`) from its own stream.
  DataSplit sample(std::int64_t count, std::uint64_t point_seed, double noise_std = 0,
                   std::uint64_t noise_seed = 0) const {
    const int dims = function_->dimensions;
    Rng points(point_seed);
    Rng noise(noise_seed);
    auto inputs = torch::empty({count, dims}, torch::kFloat32);
    auto targets = torch::empty({count, 1}, torch::kFloat32);
    auto input_access = inputs.accessor<float, 2>();
    auto target_access = targets.accessor<float, 2>();
    std::vector<double> point(static_cast<std::size_t>(dims));
    for (std::int64_t i = 0; i < count; ++i) {
      for (int d = 0; d < dims; ++d) {
        point[static_cast<std::size_t>(d)] = points.uniform(low_, high_);
        // the model sees the float32 input, so the target is computed from that exact value
        input_access[i][d] = static_cast<float>(point[static_cast<std::size_t>(d)]);
        point[static_cast<std::size_t>(d)] = input_access[i][d];
      }
      double value = function_->evaluate(point.data());
      if (noise_std > 0) value += noise_std * noise.normal();
      target_access[i][0] = static_cast<float>(value);
    }
    return {inputs, targets};
  }

  const TargetFunction* function_ = nullptr;
  std::int64_t train_size_;
  std::int64_t validation_size_;
  std::int64_t test_size_;
  double low_;
  double high_;
  double noise_;
};

}  // namespace

STRUCTLAB_REGISTER_DATASET(FunctionDataset, function)
