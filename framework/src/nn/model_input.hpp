#pragma once
// Input checks shared by the model kinds.

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace structlab::nn::detail {

/// "[a, b, c]".
std::string shape_text(at::IntArrayRef sizes);
/// Product of \p input_shape; throws ModelError (naming \p model) when it is empty or has a non-positive
/// entry.
std::int64_t checked_feature_count(const std::vector<std::int64_t>& input_shape, const char* model);
/// Throws ModelError (naming \p model) when \p num_outputs is not positive.
void check_output_count(std::int64_t num_outputs, const char* model);
/// Flattens a batch [batch, ...] to [batch, features]; throws ModelError naming both shapes when the input
/// has no batch dimension or a sample does not have \p features entries.
torch::Tensor flatten_batch(const torch::Tensor& input, std::int64_t features, const char* model);

}  // namespace structlab::nn::detail
