#include "structlab/nn/masked_model.hpp"

#include <fmt/format.h>

#include "nn/packed_view.hpp"
#include "structlab/error.hpp"

namespace structlab::nn {

MaskedLayerRef::MaskedLayerRef(std::string name_, torch::Tensor weight_, torch::Tensor bias_, torch::Tensor mask_,
                               std::int64_t source, std::int64_t target)
    : name(std::move(name_)),
      weight(std::move(weight_)),
      bias(std::move(bias_)),
      mask(std::move(mask_)),
      source_layer(source),
      target_layer(target) {
  if (!weight.defined() || weight.dim() < 2) {
    throw ModelError(
        fmt::format("masked layer '{}': the weight must have two dimensions or more, [out, in, k...]", name));
  }
  if (!mask.defined() || mask.scalar_type() != torch::kBool || mask.sizes() != weight.sizes()) {
    throw ModelError(fmt::format("masked layer '{}': the mask must be bool and shaped like the weight [{}]", name,
                                 fmt::join(weight.sizes(), ", ")));
  }
}

MaskedLayerRef::MaskedLayerRef(std::string name_, const MaskedLinear& layer, std::int64_t source, std::int64_t target)
    : MaskedLayerRef(std::move(name_), layer->weight, layer->bias, layer->mask(), source, target) {}

void MaskedLayerRef::set_mask(const torch::Tensor& new_mask) const {
  if (new_mask.sizes() != mask.sizes()) {
    throw ModelError(fmt::format("masked layer '{}': a mask of shape [{}] does not fit the weight [{}]", name,
                                 fmt::join(new_mask.sizes(), ", "), fmt::join(mask.sizes(), ", ")));
  }
  torch::NoGradGuard no_grad;
  mask.copy_(new_mask.to(mask.device()).ne(0));
}

void MaskedLayerRef::apply_mask() const {
  torch::NoGradGuard no_grad;
  weight.mul_(mask.to(weight.dtype()));
}

void MaskedLayerRef::recompute_mask(double theta) const {
  torch::NoGradGuard no_grad;
  mask.copy_(weight.abs().ge(theta));
}

torch::Tensor MaskedLayerRef::weight_grad() const {
  if (!weight.is_view()) return weight.grad();
  const torch::Tensor stored = detail::owner_of(weight).grad();
  if (!stored.defined()) return stored;
  return detail::place_of(weight, stored.contiguous(), "masked layer '" + name + "'");
}

std::int64_t MaskedLayerRef::active_weight_count() const { return mask.sum().item<std::int64_t>(); }

std::int64_t MaskedLayerRef::kernel_numel() const {
  const std::int64_t pairs = weight.size(0) * weight.size(1);
  return pairs == 0 ? 0 : weight.numel() / pairs;
}

std::vector<std::int64_t> MaskedLayerRef::fan_shape() const {
  if (weight.is_view()) {
    const torch::Tensor owner = detail::owner_of(weight);
    if (owner.dim() >= 2 && owner.numel() == weight.numel()) return owner.sizes().vec();
  }
  return weight.sizes().vec();
}

torch::Tensor MaskedLayerRef::connections() const {
  if (mask.dim() == 2) return mask;
  return mask.flatten(2).any(/*dim=*/2);
}

graph::LayeredGraph chain_structure(const std::vector<MaskedLayerRef>& layers, std::int64_t input_units,
                                    bool include_input, bool include_output) {
  const std::size_t count = layers.size();
  // first vertex id of each layer of units: input, hidden..., output
  std::vector<std::int64_t> first_id(count + 1, 0);
  std::int64_t next = 0;
  for (std::size_t unit_layer = 0; unit_layer <= count; ++unit_layer) {
    const bool is_input = unit_layer == 0, is_output = unit_layer == count;
    first_id[unit_layer] = next;
    if ((is_input && !include_input) || (is_output && !include_output)) continue;
    next += is_input ? input_units : layers[unit_layer - 1].out_features();
  }
  std::vector<graph::Edge> edges;
  for (std::size_t i = 0; i < count; ++i) {
    if ((i == 0 && !include_input) || (i + 1 == count && !include_output)) continue;
    // [k, 2] rows (target unit, source unit)
    const auto active = layers[i].connections().to(torch::kCPU).nonzero().contiguous();
    const auto* pairs = active.data_ptr<std::int64_t>();
    for (std::int64_t k = 0; k < active.size(0); ++k) {
      edges.push_back({first_id[i] + pairs[2 * k + 1], first_id[i + 1] + pairs[2 * k]});
    }
  }
  return graph::LayeredGraph(next, edges);
}

void MaskedModel::apply_mask() {
  for (auto& ref : masked_layers()) ref.apply_mask();
}

void MaskedModel::recompute_mask(double theta) {
  for (auto& ref : masked_layers()) ref.recompute_mask(theta);
}

std::int64_t MaskedModel::active_weight_count() {
  std::int64_t count = 0;
  for (auto& ref : masked_layers()) count += ref.active_weight_count();
  return count;
}

std::int64_t MaskedModel::total_weight_count() {
  std::int64_t count = 0;
  for (auto& ref : masked_layers()) count += ref.total_weight_count();
  return count;
}

std::int64_t MaskedModel::parameter_count() {
  std::int64_t count = 0;
  // every parameter once, weights counted whole (masked entries included); LayerNorm's too
  for (const auto& parameter : parameters()) {
    if (parameter.requires_grad()) count += parameter.numel();
  }
  return count;
}

std::int64_t MaskedModel::active_parameter_count() {
  return parameter_count() - (total_weight_count() - active_weight_count());
}

}  // namespace structlab::nn
