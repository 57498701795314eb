#include "structlab/prune/gradients.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "structlab/error.hpp"

namespace structlab::prune {

std::int64_t batches_to_use(const plugin::PruningContext& context, std::int64_t requested) {
  const std::int64_t available = context.num_batches();
  if (available < 1)
    throw DataError("this pruning strategy needs training batches, but the context has none");
  return std::min(requested, available);
}

std::vector<torch::Tensor> weight_gradients(nn::MaskedModel& model, const torch::Tensor& loss,
                                            bool create_graph) {
  if (!loss.defined() || loss.numel() != 1) {
    throw ModelError("a pruning loss must be a defined scalar tensor");
  }
  if (!loss.requires_grad()) {
    throw ModelError("the pruning loss does not depend on the model's weights (no autograd graph attached)");
  }
  std::vector<torch::Tensor> weights;
  for (const nn::MaskedLayerRef& ref : model.masked_layers()) weights.push_back(ref.layer->weight);
  // allow_unused: a layer cut off from the loss (e.g. all masked) has no gradient; that is a zero gradient
  std::vector<torch::Tensor> gradients =
      torch::autograd::grad({loss.reshape({})}, weights, /*grad_outputs=*/{}, /*retain_graph=*/create_graph,
                            create_graph, /*allow_unused=*/true);
  for (std::size_t i = 0; i < gradients.size(); ++i) {
    if (!gradients[i].defined()) gradients[i] = torch::zeros_like(weights[i]);
  }
  return gradients;
}

}  // namespace structlab::prune
