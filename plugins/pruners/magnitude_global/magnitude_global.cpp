// magnitude_global: the smallest |w| across all prunable layers go first, one threshold for the whole
// network ("class-blinded" in See et al. 2016; OpenLTH's sparse_global).

#include "structlab/plugin/pruner.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class MagnitudeGlobal : public structlab::plugin::PruningStrategy {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"prunes the smallest |w| of all prunable layers together (one global threshold)", "1.0.0", {}};
  }

  explicit MagnitudeGlobal(const structlab::Params& /*params*/) {}

  structlab::plugin::PruningGranularity granularity() const override {
    return structlab::plugin::PruningGranularity::weight;
  }
  structlab::plugin::SelectionScope scope() const override {
    return structlab::plugin::SelectionScope::global;
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

STRUCTLAB_REGISTER_PRUNER(MagnitudeGlobal, magnitude_global)
