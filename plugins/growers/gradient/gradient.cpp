// gradient: grows connections where the loss gradient is largest in magnitude, as RigL does (Evci et al. 2020).

#include "structlab/plugin/grower.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class GradientGrowth : public structlab::plugin::GrowthCriterion {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"grows connections where |dloss/dweight| on the current batch is largest (RigL)", "1.0.0", {}};
  }

  explicit GradientGrowth(const structlab::Params& /*params*/) {}

  /// |∂loss/∂(weight ⊙ mask)| at every position: the dense gradient, computed on update steps only.
  std::vector<torch::Tensor> score(structlab::nn::MaskedModel& /*model*/,
                                   structlab::plugin::GrowthContext& context) const override {
    std::vector<torch::Tensor> scores;
    for (const torch::Tensor& gradient : context.dense_gradients()) scores.push_back(gradient.abs());
    return scores;
  }
};

}  // namespace

STRUCTLAB_REGISTER_GROWER(GradientGrowth, gradient)
