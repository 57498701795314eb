#include "structlab/nn/masked_model.hpp"

namespace structlab::nn {

void MaskedModel::apply_mask() {
  for (auto& ref : masked_layers()) ref.layer->apply_mask();
}

void MaskedModel::recompute_mask(double theta) {
  for (auto& ref : masked_layers()) ref.layer->recompute_mask(theta);
}

std::int64_t MaskedModel::active_weight_count() {
  std::int64_t count = 0;
  for (auto& ref : masked_layers()) count += ref.layer->active_weight_count();
  return count;
}

std::int64_t MaskedModel::total_weight_count() {
  std::int64_t count = 0;
  for (auto& ref : masked_layers()) count += ref.layer->total_weight_count();
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
