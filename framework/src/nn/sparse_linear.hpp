#pragma once
// The sparse path of MaskedLinear as one autograd node: forward, gradient to the input and the weight gradient
// at active positions only, on the index lists of the mask (nn/sparse_kernel.hpp), split among LibTorch's
// threads. A row of the output is always computed by one thread in one order, so the result does not depend on
// the thread count.

#include <torch/torch.h>

#include <memory>

namespace structlab::nn::detail {

struct SparsePattern;

/// Whether the sparse kernels can compute linear(input, weight * mask, bias): input, weight and bias are
/// float32 CPU tensors and the weight is contiguous. Anything else (another device or dtype) runs dense.
bool sparse_path_applies(const torch::Tensor& input, const torch::Tensor& weight, const torch::Tensor& bias);

/// linear(input, weight * mask, bias) for the mask whose active entries \p pattern lists; \p bias may be
/// undefined. Differentiable: its backward gives weight a gradient that is zero off the pattern, and when a
/// graph of the backward is asked for (create_graph) the gradients are computed with differentiable dense ops
/// instead.
torch::Tensor sparse_masked_linear(const torch::Tensor& input, const torch::Tensor& weight,
                                   const torch::Tensor& bias, std::shared_ptr<const SparsePattern> pattern);

}  // namespace structlab::nn::detail
