#pragma once
// The hidden layers of a MaskedDeepDAN, computed two ways: a fused CPU kernel (one autograd node for all
// masked blocks, visiting only their active weights) and a per-block sequence of torch ops (the seed's way:
// any device, any dtype, layer norm). Both read the blocks' weights, biases and masks from the model's packed
// tensors: weight and mask [plan.weight_entries], bias [plan.bias_entries], block after block (DanBlock
// offsets), each block row-major [rows, cols].

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "nn/dan_plan.hpp"
#include "nn/sparse_kernel.hpp"

namespace structlab::nn::detail {

/// Applied to each layer's activations [layer size, batch] before later layers read them.
using LayerTransform = std::function<torch::Tensor(std::int64_t layer, const torch::Tensor& activations)>;

/// All hidden activations [N, batch] (rows are vertex positions) from layer 0's activations
/// \p first [n0, batch], with one torch op sequence per block; differentiable to any order. \p weight and
/// \p bias are the packed parameters, \p mask the packed bool mask (same device).
torch::Tensor dan_hidden_per_block(const DanPlan& plan, const torch::Tensor& first, const torch::Tensor& weight,
                                   const torch::Tensor& bias, const torch::Tensor& mask, bool sum_of_activations,
                                   const LayerTransform& transform = nullptr);

/// The index lists of every block's active weights (plan order), read from the packed bool CPU mask.
std::vector<SparsePattern> dan_block_patterns(const DanPlan& plan, const torch::Tensor& mask);

/// What one fused pass needs besides its tensors; it travels with the pass's autograd node, so a graph
/// waiting for its backward keeps the index lists of the masks it ran with.
struct DanPass : torch::CustomClassHolder {
  std::shared_ptr<const DanPlan> plan;                          ///< the structure's layout
  std::shared_ptr<const std::vector<SparsePattern>> patterns;  ///< one per block, from the current mask
  std::vector<char> dense;  ///< per block: 1 = BLAS on the masked block (dense enough), 0 = index lists
  bool sum_of_activations = true;  ///< the aggregate: sum of activations (the seed's) or activation of sum
  int threads = 1;                 ///< threads the index-list loops may use
};

/// The same result as dan_hidden_per_block without transform, computed by one autograd node: index-list loops
/// over the active weights of each block (or BLAS for the blocks \p pass marks dense), threads across rows.
/// CPU, float32, contiguous tensors only. Its backward is differentiable too (it re-runs dan_hidden_per_block
/// when a graph of the gradient is asked for).
torch::Tensor dan_hidden_fused(const c10::intrusive_ptr<DanPass>& pass, const torch::Tensor& first,
                               const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& mask);

}  // namespace structlab::nn::detail
