// random: grows connections at positions drawn uniformly at random, as SET does (Mocanu et al. 2018).

#include "structlab/plugin/grower.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class RandomGrowth : public structlab::plugin::GrowthCriterion {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"grows connections at random inactive positions (SET); draws from the run's generator", "1.0.0", {}};
  }

  explicit RandomGrowth(const structlab::Params& /*params*/) {}

  /// One uniform number per position of every layer, drawn from the run's generator on the CPU.
  std::vector<torch::Tensor> score(structlab::nn::MaskedModel& model,
                                   structlab::plugin::GrowthContext& context) const override {
    std::vector<torch::Tensor> scores;
    for (const auto& layer : model.masked_layers()) {
      scores.push_back(torch::rand(layer.weight.sizes(), context.generator(), torch::kDouble));
    }
    return scores;
  }
};

}  // namespace

STRUCTLAB_REGISTER_GROWER(RandomGrowth, random)
