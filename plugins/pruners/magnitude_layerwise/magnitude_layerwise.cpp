// magnitude_layerwise: the smallest |w| of each layer go first, the selection rule applied to every
// prunable layer on its own ("class-uniform" in See et al. 2016): each layer keeps the same share.

#include "structlab/plugin/pruner.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class MagnitudeLayerwise : public structlab::plugin::PruningStrategy {
 public:
  static structlab::plugin::PluginInfo info() {
    return {
        "prunes the smallest |w| of each prunable layer, the selection rule applied per layer", "1.0.0", {}};
  }

  explicit MagnitudeLayerwise(const structlab::Params& /*params*/) {}

  structlab::plugin::PruningGranularity granularity() const override {
    return structlab::plugin::PruningGranularity::weight;
  }
  structlab::plugin::SelectionScope scope() const override {
    return structlab::plugin::SelectionScope::per_layer;
  }

  std::vector<torch::Tensor> score(structlab::nn::MaskedModel& model,
                                   structlab::plugin::PruningContext& /*context*/) const override {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> scores;
    for (const auto& ref : model.masked_layers()) scores.push_back(ref.layer->weight.abs());
    return scores;
  }
};

}  // namespace

STRUCTLAB_REGISTER_PRUNER(MagnitudeLayerwise, magnitude_layerwise)
