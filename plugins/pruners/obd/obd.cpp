// obd: Optimal Brain Damage (LeCun, Denker & Solla 1990). Removing weight i changes the loss by about
// s_i = 1/2 * h_ii * w_i^2 near a minimum, h_ii the Hessian's diagonal; the smallest s_i go first.
//
// Two estimators of h_ii, each averaged over the first `batches` training batches:
//   fisher (default)  the squared batch gradient g_i^2, the empirical Fisher information: one backward
//                     pass per batch, which is why it is the standard cheap stand-in for the Hessian of a
//                     log-likelihood loss near a minimum;
//   exact_diagonal    d^2 L / d w_i^2 by double backward: one extra backward pass per active weight and
//                     batch, exact but only affordable on small models. Away from a minimum h_ii can be
//                     negative; it is used as it is (the predicted loss change is then negative too).

#include <string>

#include "structlab/plugin/pruner.hpp"
#include "structlab/plugin/register.hpp"
#include "structlab/prune/gradients.hpp"

namespace {

class OptimalBrainDamage : public structlab::plugin::PruningStrategy {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"Optimal Brain Damage: prunes the smallest 1/2 * h_ii * w_i^2 (h_ii: diagonal Hessian estimate)",
            "1.0.0",
            {structlab::optional_param("batches", std::int64_t{10}, "training batches averaged for h_ii"),
             structlab::optional_param("estimator", std::string("fisher"),
                                       "fisher (squared gradients, cheap) | exact_diagonal (double backward, "
                                       "one pass per weight)")}};
  }

  explicit OptimalBrainDamage(const structlab::Params& params)
      : batches_(params.get_int("batches")), exact_(params.get_string("estimator") == "exact_diagonal") {
    if (batches_ < 1) params.fail("batches", "must be at least 1");
    const std::string& estimator = params.get_string("estimator");
    if (estimator != "fisher" && estimator != "exact_diagonal") {
      params.fail("estimator", "unknown estimator '" + estimator + "'; expected fisher or exact_diagonal");
    }
  }

  structlab::plugin::PruningGranularity granularity() const override {
    return structlab::plugin::PruningGranularity::weight;
  }
  structlab::plugin::SelectionScope scope() const override {
    return structlab::plugin::SelectionScope::global;
  }

  std::vector<torch::Tensor> score(structlab::nn::MaskedModel& model,
                                   structlab::plugin::PruningContext& context) const override {
    const bool exact = exact_;
    const auto curvature = structlab::prune::mean_over_batches(
        model, context, batches_, /*create_graph=*/exact,
        [exact](const structlab::nn::MaskedLayerRef& ref, const torch::Tensor& gradient) {
          return exact ? hessian_diagonal(ref, gradient) : gradient.detach().to(torch::kDouble).square();
        });
    const auto layers = model.masked_layers();
    std::vector<torch::Tensor> scores;
    for (std::size_t k = 0; k < layers.size(); ++k) {
      const torch::Tensor weight = layers[k].weight.detach().to(torch::kDouble);
      scores.push_back(0.5 * curvature[k] * weight.square());
    }
    return scores;
  }

 private:
  // d^2 L / d w_i^2 for every active weight of one layer: differentiate each gradient entry once more.
  static torch::Tensor hessian_diagonal(const structlab::nn::MaskedLayerRef& ref,
                                        const torch::Tensor& gradient) {
    torch::Tensor diagonal = torch::zeros_like(ref.weight, torch::kDouble);
    // a gradient without a graph does not depend on the weights: the loss is linear in them, h_ii = 0
    if (!gradient.requires_grad()) return diagonal;
    const torch::Tensor flat_gradient = gradient.reshape({-1});
    const torch::Tensor mask = ref.mask.to(torch::kCPU).reshape({-1});
    const bool* active = mask.data_ptr<bool>();
    auto flat_diagonal = diagonal.view({-1});
    for (std::int64_t i = 0; i < flat_gradient.numel(); ++i) {
      if (!active[i]) continue;
      const auto second =
          structlab::prune::gradients_of(flat_gradient[i], {ref}, /*retain_graph=*/true, /*create_graph=*/false);
      flat_diagonal[i] = second[0].reshape({-1})[i].item<double>();
    }
    return diagonal;
  }

  std::int64_t batches_;
  bool exact_;
};

}  // namespace

STRUCTLAB_REGISTER_PRUNER(OptimalBrainDamage, obd)
