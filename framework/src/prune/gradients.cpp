#include "structlab/prune/gradients.hpp"

#include <algorithm>

#include "nn/packed_view.hpp"
#include "structlab/error.hpp"

namespace structlab::prune {

std::int64_t batches_to_use(const plugin::PruningContext& context, std::int64_t requested) {
  const std::int64_t available = context.num_batches();
  if (available < 1)
    throw DataError("this pruning strategy needs training batches, but the context has none");
  return std::min(requested, available);
}

std::vector<torch::Tensor> gradients_of(const torch::Tensor& output, const std::vector<nn::MaskedLayerRef>& layers,
                                        bool retain_graph, bool create_graph) {
  std::vector<torch::Tensor> leaves;
  std::vector<std::size_t> leaf_of_layer;
  for (const auto& ref : layers) {
    // autograd differentiates the weight itself, or the tensor it is a view into
    const torch::Tensor leaf = nn::detail::owner_of(ref.weight);
    auto same = std::find_if(leaves.begin(), leaves.end(), [&](const torch::Tensor& known) {
      return known.unsafeGetTensorImpl() == leaf.unsafeGetTensorImpl();
    });
    leaf_of_layer.push_back(static_cast<std::size_t>(same - leaves.begin()));
    if (same == leaves.end()) leaves.push_back(leaf);
  }
  // allow_unused: a layer cut off from the output (e.g. all masked) has no gradient; that is a zero gradient
  const std::vector<torch::Tensor> leaf_gradients =
      torch::autograd::grad({output.reshape({})}, leaves, /*grad_outputs=*/{}, retain_graph, create_graph,
                            /*allow_unused=*/true);
  std::vector<torch::Tensor> gradients;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const torch::Tensor& weight = layers[k].weight;
    const torch::Tensor& gradient = leaf_gradients[leaf_of_layer[k]];
    if (!gradient.defined()) {
      gradients.push_back(torch::zeros_like(weight));
    } else if (weight.is_view()) {
      gradients.push_back(nn::detail::place_of(weight, gradient.contiguous(), "masked layer '" + layers[k].name + "'"));
    } else {
      gradients.push_back(gradient);
    }
  }
  return gradients;
}

std::vector<torch::Tensor> weight_gradients(nn::MaskedModel& model, const torch::Tensor& loss,
                                            bool create_graph) {
  if (!loss.defined() || loss.numel() != 1) {
    throw ModelError("a pruning loss must be a defined scalar tensor");
  }
  if (!loss.requires_grad()) {
    throw ModelError("the pruning loss does not depend on the model's weights (no autograd graph attached)");
  }
  return gradients_of(loss, model.masked_layers(), /*retain_graph=*/create_graph, create_graph);
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
