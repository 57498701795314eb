#include "nn/model_input.hpp"

#include <sstream>

#include "structlab/error.hpp"

namespace structlab::nn::detail {

std::string shape_text(at::IntArrayRef sizes) {
  std::ostringstream text;
  text << "[";
  for (std::size_t i = 0; i < sizes.size(); ++i) text << (i ? ", " : "") << sizes[i];
  text << "]";
  return text.str();
}

std::int64_t checked_feature_count(const std::vector<std::int64_t>& input_shape, const char* model) {
  if (input_shape.empty())
    throw ModelError(std::string(model) + ": input_shape is empty; expected e.g. [784]");
  std::int64_t features = 1;
  for (auto size : input_shape) {
    if (size <= 0) {
      throw ModelError(std::string(model) + ": input_shape " + shape_text(input_shape) +
                       " has a non-positive dimension; every dimension must be at least 1");
    }
    features *= size;
  }
  return features;
}

void check_output_count(std::int64_t num_outputs, const char* model) {
  if (num_outputs <= 0) {
    throw ModelError(std::string(model) + ": num_outputs is " + std::to_string(num_outputs) +
                     "; expected at least 1 class or target");
  }
}

torch::Tensor flatten_batch(const torch::Tensor& input, std::int64_t features, const char* model) {
  std::int64_t sample_size = 1;
  for (std::int64_t d = 1; d < input.dim(); ++d) sample_size *= input.size(d);
  if (input.dim() < 2 || sample_size != features) {
    throw ModelError(std::string(model) + ": input batch of shape " + shape_text(input.sizes()) +
                     " does not hold samples of " + std::to_string(features) +
                     " features; expected [batch, ...input_shape] or [batch, " + std::to_string(features) +
                     "]");
  }
  return input.reshape({input.size(0), features});
}

}  // namespace structlab::nn::detail
