#pragma once
/// \file
/// Helpers for gradient-based pruning strategies (OBD, Taylor): gradients of a training loss with
/// respect to the masked weights, without touching the parameters' .grad fields (the optimizer's).

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "structlab/nn/masked_model.hpp"
#include "structlab/plugin/pruner.hpp"

namespace structlab::prune {

/// The number of batches a strategy asking for \p requested batches uses: min(requested, available).
/// Throws DataError when \p context has no batches.
std::int64_t batches_to_use(const plugin::PruningContext& context, std::int64_t requested);

/// ∂output/∂weight for every layer of \p layers (each [out, in]; zero where \p output does not depend on it).
/// A layer's weight may be a parameter or a view into one (a DAN's blocks are views into its packed
/// "hidden_weight"): the gradient is taken with respect to the parameter and cut to the view, so use this and
/// not torch::autograd::grad on MaskedLayerRef::weight. \p retain_graph keeps \p output's graph for another
/// pass; \p create_graph keeps the graph of the gradients for second derivatives. \p output must be a scalar
/// with a graph; throws ModelError for a layer whose weight is a view into a non-contiguous tensor.
std::vector<torch::Tensor> gradients_of(const torch::Tensor& output, const std::vector<nn::MaskedLayerRef>& layers,
                                        bool retain_graph, bool create_graph);

/// ∂loss/∂weight for every masked layer of \p model (masked_layers() order, each [out, in]; zero where
/// masked), by gradients_of. \p create_graph keeps the graph of the gradients for second derivatives. Throws
/// ModelError when \p loss is not a scalar that depends on the weights.
std::vector<torch::Tensor> weight_gradients(nn::MaskedModel& model, const torch::Tensor& loss,
                                            bool create_graph);

/// A per-batch score of one masked layer from its weight gradient on that batch ([out, in], any dtype).
using GradientTerm = std::function<torch::Tensor(const nn::MaskedLayerRef& layer, const torch::Tensor& gradient)>;

/// The mean over the first batches_to_use(\p context, \p requested_batches) training batches of \p term,
/// per masked layer of \p model (masked_layers() order, float64 [out, in]). Each batch's loss is
/// differentiated once with weight_gradients(\p create_graph) and \p term sees every layer's gradient.
/// Throws what batches_to_use and weight_gradients throw.
std::vector<torch::Tensor> mean_over_batches(nn::MaskedModel& model, plugin::PruningContext& context,
                                             std::int64_t requested_batches, bool create_graph,
                                             const GradientTerm& term);

}  // namespace structlab::prune
