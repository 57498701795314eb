// synflow: Iterative Synaptic Flow Pruning (Tanaka et al. 2020), data-free. Every parameter (weights, biases and
// any other, as in the paper) is replaced by its absolute value, an all-ones input of the dataset's sample shape
// (batch 1) goes through the masked network, R is the sum of its outputs, and weight j scores |∂R/∂w_j * w_j|:
// the synaptic flow through it. Pruning in many rounds (`rounds`, 100 by default, as the paper does), each
// re-scoring the masked network, is what avoids layer collapse; the at_init schedule runs the rounds.
//
// The forward runs in the model's own precision (float32). R grows like the product of the layers' weight norms,
// so a very deep or wide network can overflow: the scores are then refused with a PluginError rather than
// ranked as inf or NaN.

#include <fmt/format.h>

#include "common/rounds_param.hpp"
#include "structlab/error.hpp"
#include "structlab/plugin/pruner.hpp"
#include "structlab/plugin/register.hpp"
#include "structlab/prune/gradients.hpp"

namespace {

/// Replaces every parameter of a model by its absolute value and puts it in evaluation mode (no dropout, no
/// batch statistics from the one all-ones sample); restores both when it goes.
class Linearised {
 public:
  explicit Linearised(structlab::nn::MaskedModel& model)
      : model_(model), parameters_(model.parameters()), was_training_(model.is_training()) {
    model_.eval();
    torch::NoGradGuard no_grad;
    for (auto& parameter : parameters_) {
      originals_.push_back(parameter.detach().clone());
      parameter.abs_();
    }
  }
  ~Linearised() {
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < parameters_.size(); ++i) parameters_[i].copy_(originals_[i]);
    model_.train(was_training_);
  }
  Linearised(const Linearised&) = delete;
  Linearised& operator=(const Linearised&) = delete;

 private:
  structlab::nn::MaskedModel& model_;
  std::vector<torch::Tensor> parameters_;
  bool was_training_;
  std::vector<torch::Tensor> originals_;
};

class SynFlowPruner : public structlab::plugins::RoundsWeightPruner {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"SynFlow (Tanaka et al. 2020), data-free: prunes the smallest synaptic flow |dR/dw * w|, R the summed "
            "output for an all-ones input with every parameter replaced by its absolute value; for pruning at "
            "initialisation in `rounds` rounds",
            "1.0.0",
            {structlab::plugins::rounds_param(100)}};
  }

  explicit SynFlowPruner(const structlab::Params& params) : RoundsWeightPruner(params) {}

  /// |∂R/∂w * w| per masked layer (float64), w the absolute weights.
  std::vector<torch::Tensor> score(structlab::nn::MaskedModel& model,
                                   structlab::plugin::PruningContext& context) const override {
    const std::vector<std::int64_t> sample_shape = context.input_shape();
    if (sample_shape.empty()) {
      throw structlab::PluginError("synflow needs the shape of an input sample, but the pruning context gives none");
    }
    const auto layers = model.masked_layers();
    if (layers.empty()) return {};
    std::vector<std::int64_t> shape{1};
    shape.insert(shape.end(), sample_shape.begin(), sample_shape.end());
    const torch::Tensor ones = torch::ones(shape, layers.front().weight.options().requires_grad(false));

    Linearised linearised(model);
    const torch::Tensor flow = model.forward(ones).sum();
    if (!torch::isfinite(flow).item<bool>()) {
      throw structlab::PluginError(fmt::format(
          "synflow: the synaptic flow R overflowed ({}) in {}; the network is too deep or its weights too large "
          "for this precision",
          flow.item<double>(), torch::toString(flow.scalar_type())));
    }
    const std::vector<torch::Tensor> gradients = structlab::prune::weight_gradients(model, flow, false);
    std::vector<torch::Tensor> scores;
    for (std::size_t k = 0; k < layers.size(); ++k) {
      torch::Tensor score = (gradients[k].to(torch::kDouble) * layers[k].weight.detach().to(torch::kDouble)).abs();
      if (!torch::isfinite(score).all().item<bool>()) {
        throw structlab::PluginError(
            fmt::format("synflow: the scores of layer {} are not finite (the flow overflowed)", layers[k].name));
      }
      scores.push_back(std::move(score));
    }
    return scores;
  }
};

}  // namespace

STRUCTLAB_REGISTER_PRUNER(SynFlowPruner, synflow)
