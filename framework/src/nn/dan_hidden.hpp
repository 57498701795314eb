#pragma once
// The hidden layers of a MaskedDeepDAN, computed two ways: a fused CPU kernel (one autograd node for all
// masked blocks) and a per-block sequence of torch ops (the seed's way: any device, any dtype, layer norm).

#include <torch/torch.h>

#include <cstdint>
#include <functional>

namespace structlab::nn::detail {

/// The DanPlan facts the hidden computation needs, as CPU int64 tensors so that an autograd node can keep
/// them alive: layer_offset [L+1], blocks [P, 4] (source layer, target layer, rows, cols), first_block [L+1].
struct DanPlanTensors {
  torch::Tensor layer_offset;  ///< first position of each layer
  torch::Tensor blocks;        ///< one row per masked block, plan order
  torch::Tensor first_block;   ///< blocks targeting layer l are [first_block[l], first_block[l+1])
};

/// Applied to each layer's activations [layer size, batch] before later layers read them.
using LayerTransform = std::function<torch::Tensor(std::int64_t layer, const torch::Tensor& activations)>;

/// All hidden activations [N, batch] (rows are vertex positions) from layer 0's activations
/// \p first [n0, batch], with one torch op sequence per block; differentiable to any order.
torch::Tensor dan_hidden_per_block(const DanPlanTensors& plan, const torch::Tensor& first,
                                   at::TensorList weights, at::TensorList biases, at::TensorList masks,
                                   bool sum_of_activations, const LayerTransform& transform = nullptr);

/// The same result as dan_hidden_per_block without transform, computed by one autograd node with hand-written
/// loops over the active weights (BLAS for dense large blocks). CPU, float32, contiguous tensors only.
/// Its backward is differentiable too (it re-runs dan_hidden_per_block when a graph of the gradient is asked
/// for).
torch::Tensor dan_hidden_fused(const DanPlanTensors& plan, const torch::Tensor& first, at::TensorList weights,
                               at::TensorList biases, at::TensorList masks, bool sum_of_activations);

}  // namespace structlab::nn::detail
