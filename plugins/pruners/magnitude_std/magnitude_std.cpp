// magnitude_std: per layer, every weight with |w| < quality * std(layer) goes (Han et al. 2015, "Learning
// both Weights and Connections for Efficient Neural Networks"). The cut is a threshold, not a share, so the
// selection's rule and amount are not used; its exclusions are.

#include "structlab/plugin/pruner.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class MagnitudeStd : public structlab::plugin::PruningStrategy {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"prunes, in each layer, every weight with |w| < quality * std of the layer's active weights",
            "1.0.0",
            {structlab::optional_param(
                "quality", 0.5, "threshold in standard deviations (0.5 cuts ~38% of a Gaussian layer)")}};
  }

  explicit MagnitudeStd(const structlab::Params& params) : quality_(params.get_double("quality")) {
    if (!(quality_ >= 0.0)) params.fail("quality", "must be 0 or more");
  }

  structlab::plugin::PruningGranularity granularity() const override {
    return structlab::plugin::PruningGranularity::weight;
  }
  structlab::plugin::SelectionScope scope() const override {
    return structlab::plugin::SelectionScope::below_zero;
  }

  /// |w| - quality * std, in double so that the sign is exactly the comparison |w| < quality * std.
  std::vector<torch::Tensor> score(structlab::nn::MaskedModel& model,
                                   structlab::plugin::PruningContext& /*context*/) const override {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> scores;
    for (const auto& ref : model.masked_layers()) {
      const torch::Tensor weight = ref.weight.detach().to(torch::kDouble);
      // the std of the weights still in the network: pruned ones are gone, their zeros would shrink it
      const torch::Tensor active = weight.masked_select(ref.mask);
      const double spread = active.numel() == 0 ? 0.0 : active.std(/*unbiased=*/false).item<double>();
      scores.push_back(weight.abs() - quality_ * spread);
    }
    return scores;
  }

 private:
  double quality_;
};

}  // namespace

STRUCTLAB_REGISTER_PRUNER(MagnitudeStd, magnitude_std)
