// grasp: Gradient Signal Preservation (Wang et al. 2020). Removing weights should keep the gradient flow
// ||g||^2 as large as possible; to first order, removing weight j changes it by S_j = -w_j * (H g)_j, H the
// Hessian and g the gradient of the training loss at the masked weights, and GraSP removes the weights with the
// HIGHEST S. structlab prunes the lowest score first, so this strategy returns -S = w * (H g).
//
// g is the mean gradient over the first `batches` batches (no graph); H g is the mean over the same batches of
// ∂(g · ∇L_b)/∂w, a Hessian-gradient product by double backward (one extra backward pass per batch, no Hessian
// built). The paper divides the logits by a temperature (200) first; the loss here is the run's own, without one.

#include <fmt/format.h>

#include "common/rounds_param.hpp"
#include "structlab/error.hpp"
#include "structlab/plugin/pruner.hpp"
#include "structlab/plugin/register.hpp"
#include "structlab/prune/gradients.hpp"

namespace {

class GraspPruner : public structlab::plugins::RoundsWeightPruner {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"GraSP (Wang et al. 2020): scores w * (H g), Hessian-gradient product by double backward, i.e. minus "
            "GraSP's S = -w * Hg, so pruning the lowest scores removes GraSP's highest S; for pruning at "
            "initialisation",
            "1.0.0",
            {structlab::optional_param("batches", std::int64_t{1}, "training batches averaged for g and H g"),
             structlab::plugins::rounds_param(1)}};
  }

  explicit GraspPruner(const structlab::Params& params)
      : RoundsWeightPruner(params), batches_(params.get_int("batches")) {
    if (batches_ < 1) params.fail("batches", "must be at least 1");
  }

  /// w * (H g) per masked layer (float64).
  std::vector<torch::Tensor> score(structlab::nn::MaskedModel& model,
                                   structlab::plugin::PruningContext& context) const override {
    const auto layers = model.masked_layers();
    const std::vector<torch::Tensor> gradient = structlab::prune::mean_over_batches(
        model, context, batches_, /*create_graph=*/false,
        [](const structlab::nn::MaskedLayerRef& /*ref*/, const torch::Tensor& batch_gradient) {
          return batch_gradient;
        });
    const std::vector<torch::Tensor> hessian_gradient = hessian_gradient_product(model, context, gradient);
    std::vector<torch::Tensor> scores;
    for (std::size_t k = 0; k < layers.size(); ++k) {
      scores.push_back(layers[k].weight.detach().to(torch::kDouble) * hessian_gradient[k]);
    }
    return scores;
  }

 private:
  /// H v for every masked layer (float64 [out, in]): the mean over the batches of ∂(v · ∇L_b)/∂w.
  std::vector<torch::Tensor> hessian_gradient_product(structlab::nn::MaskedModel& model,
                                                      structlab::plugin::PruningContext& context,
                                                      const std::vector<torch::Tensor>& v) const {
    const auto layers = model.masked_layers();
    std::vector<torch::Tensor> sums;
    for (const auto& ref : layers) sums.push_back(torch::zeros_like(ref.weight, torch::kDouble));
    const std::int64_t batches = structlab::prune::batches_to_use(context, batches_);
    for (std::int64_t batch = 0; batch < batches; ++batch) {
      const std::vector<torch::Tensor> batch_gradient =
          structlab::prune::weight_gradients(model, context.loss(model, batch), /*create_graph=*/true);
      torch::Tensor inner;
      for (std::size_t k = 0; k < layers.size(); ++k) {
        const torch::Tensor term = (batch_gradient[k] * v[k].to(batch_gradient[k].dtype())).sum();
        inner = inner.defined() ? inner + term : term;
      }
      // a gradient without a graph does not depend on the weights (a loss linear in them): H g = 0 there
      if (!inner.defined() || !inner.requires_grad()) continue;
      const std::vector<torch::Tensor> product =
          structlab::prune::gradients_of(inner, layers, /*retain_graph=*/false, /*create_graph=*/false);
      for (std::size_t k = 0; k < layers.size(); ++k) sums[k] += product[k].detach().to(torch::kDouble);
    }
    for (auto& sum : sums) {
      sum /= static_cast<double>(batches);
      if (!torch::isfinite(sum).all().item<bool>()) {
        throw structlab::PluginError("grasp: the Hessian-gradient product is not finite (the loss diverged at "
                                     "these weights)");
      }
    }
    return sums;
  }

  std::int64_t batches_;
};

}  // namespace

STRUCTLAB_REGISTER_PRUNER(GraspPruner, grasp)
