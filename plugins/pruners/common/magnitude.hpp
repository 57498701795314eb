#pragma once
// What the magnitude strategies share (header-only, for the built-in pruner plugins): every weight scored
// by |w|. magnitude_global and magnitude_layerwise differ only in how the selection rule is applied.

#include "structlab/plugin/pruner.hpp"

namespace structlab::plugins {

/// Scores every weight by its magnitude |w|; the subclass names the scope and the plugin's info().
class MagnitudeStrategy : public plugin::PruningStrategy {
 public:
  /// A strategy applying the selection rule with \p scope.
  explicit MagnitudeStrategy(plugin::SelectionScope scope) : scope_(scope) {}

  /// Whole weights.
  plugin::PruningGranularity granularity() const override { return plugin::PruningGranularity::weight; }
  /// As given to the constructor.
  plugin::SelectionScope scope() const override { return scope_; }

  /// |w| of every masked layer.
  std::vector<torch::Tensor> score(nn::MaskedModel& model,
                                   plugin::PruningContext& /*context*/) const override {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> scores;
    for (const auto& ref : model.masked_layers()) scores.push_back(ref.weight.abs());
    return scores;
  }

 private:
  plugin::SelectionScope scope_;
};

}  // namespace structlab::plugins
