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
  for (const nn::MaskedLayerRef& ref : model.masked_layers()) weights.push_back(ref.weight);
  // allow_unused: a layer cut off from the loss (e.g. all masked) has no gradient; that is a zero gradient
  std::vector<torch::Tensor> gradients =
      torch::autograd::grad({loss.reshape({})}, weights, /*grad_outputs=*/{}, /*retain_graph=*/create_graph,
                            create_graph, /*allow_unused=*/true);
  for (std::size_t i = 0; i < gradients.size(); ++i) {
    if (!gradients[i].defined()) gradients[i] = torch::zeros_like(weights[i]);
  }
  return gradients;
}

std::vector<torch::Tensor> mean_over_batches(nn::MaskedModel& model, plugin::PruningContext& context,
                                             std::int64_t requested_batches, bool create_graph,
                                             const GradientTerm& term) {
  const std::int64_t batches = batches_to_use(context, requested_batches);
  const auto layers = model.masked_layers();
  std::vector<torch::Tensor> sums;
  for (const auto& ref : layers) sums.push_back(torch::zeros_like(ref.weight, torch::kDouble));
  for (std::int64_t batch = 0; batch < batches; ++batch) {
    const auto gradients = weight_gradients(model, context.loss(model, batch), create_graph);
    for (std::size_t k = 0; k < layers.size(); ++k) {
      sums[k] += term(layers[k], gradients[k]).detach().to(torch::kDouble);
    }
  }
  for (auto& sum : sums) sum /= static_cast<double>(batches);
  return sums;
}

}  // namespace structlab::prune
