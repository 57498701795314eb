// snip: SNIP's connection sensitivity (Lee et al. 2019), |∂L/∂c_j| = |g_j * w_j| for the gate c_j of weight j
// in the masked network, g the gradient of the training loss at the masked weights, averaged over the first
// `batches` batches before the absolute value is taken (the paper uses one batch). Made for pruning at
// initialisation (pruning.schedule.kind: at_init); `rounds` > 1 re-scores the masked network between rounds.
//
// taylor scores the mean over batches of |w * g_b| instead: with one batch the two agree; with more, SNIP's
// |w * mean g| lets batches whose gradients disagree cancel out, as the sensitivity of the mean loss does.

#include "common/rounds_param.hpp"
#include "structlab/plugin/pruner.hpp"
#include "structlab/plugin/register.hpp"
#include "structlab/prune/gradients.hpp"

namespace {

class SnipPruner : public structlab::plugins::RoundsWeightPruner {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"SNIP connection sensitivity (Lee et al. 2019): prunes the smallest |w * g|, g the loss gradient at "
            "the masked weights averaged over batches; for pruning at initialisation",
            "1.0.0",
            {structlab::optional_param("batches", std::int64_t{1}, "training batches whose gradients are averaged"),
             structlab::plugins::rounds_param(1)}};
  }

  explicit SnipPruner(const structlab::Params& params)
      : RoundsWeightPruner(params), batches_(params.get_int("batches")) {
    if (batches_ < 1) params.fail("batches", "must be at least 1");
  }

  /// |w * mean_b g_b| per masked layer (float64).
  std::vector<torch::Tensor> score(structlab::nn::MaskedModel& model,
                                   structlab::plugin::PruningContext& context) const override {
    const std::vector<torch::Tensor> mean_gradients = structlab::prune::mean_over_batches(
        model, context, batches_, /*create_graph=*/false,
        [](const structlab::nn::MaskedLayerRef& /*ref*/, const torch::Tensor& gradient) { return gradient; });
    const auto layers = model.masked_layers();
    std::vector<torch::Tensor> scores;
    for (std::size_t k = 0; k < layers.size(); ++k) {
      scores.push_back((layers[k].weight.detach().to(torch::kDouble) * mean_gradients[k]).abs());
    }
    return scores;
  }

 private:
  std::int64_t batches_;
};

}  // namespace

STRUCTLAB_REGISTER_PRUNER(SnipPruner, snip)
