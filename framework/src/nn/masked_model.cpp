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
  if (!weight.defined() || weight.dim() != 2) {
    throw ModelError(fmt::format("masked layer '{}': the weight must be a matrix [out, in]", name));
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
