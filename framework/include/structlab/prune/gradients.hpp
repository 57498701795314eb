#pragma once
/// \file
/// Helpers for gradient-based pruning strategies (OBD, Taylor): gradients of a training loss with
/// respect to the masked weights, without touching the parameters' .grad fields (the optimizer's).

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "structlab/nn/masked_model.hpp"
#include "structlab/plugin/pruner.hpp"

namespace structlab::prune {

/// The number of batches a strategy asking for \p requested batches uses: min(requested, available).
/// Throws DataError when \p context has no batches.
std::int64_t batches_to_use(const plugin::PruningContext& context, std::int64_t requested);

/// ∂loss/∂weight for every masked layer of \p model (masked_layers() order, each [out, in]; zero where
/// masked). \p create_graph keeps the graph of the gradients for second derivatives. Throws ModelError
/// when \p loss is not a scalar that depends on the weights.
std::vector<torch::Tensor> weight_gradients(nn::MaskedModel& model, const torch::Tensor& loss,
                                            bool create_graph);

}  // namespace structlab::prune
