// random: a seeded uniform score per weight, ranked globally; the baseline every saliency must beat.

#include "structlab/random.hpp"

#include "structlab/plugin/pruner.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class RandomPruner : public structlab::plugin::PruningStrategy {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"prunes weights chosen uniformly at random (seeded by the pruning context)", "1.0.0", {}};
  }

  explicit RandomPruner(const structlab::Params& /*params*/) {}

  structlab::plugin::PruningGranularity granularity() const override {
    return structlab::plugin::PruningGranularity::weight;
  }
  structlab::plugin::SelectionScope scope() const override {
    return structlab::plugin::SelectionScope::global;
  }

  /// Draws one uniform number per weight entry, active or not, layer by layer in row-major order: a
  /// position's score depends only on the seed and the model's shape, never on earlier pruning.
  std::vector<torch::Tensor> score(structlab::nn::MaskedModel& model,
                                   structlab::plugin::PruningContext& context) const override {
    structlab::Rng rng(context.seed());
    std::vector<torch::Tensor> scores;
    for (const auto& ref : model.masked_layers()) {
      torch::Tensor score = torch::empty(ref.weight.sizes(), torch::kDouble);
      double* values = score.data_ptr<double>();
      for (std::int64_t i = 0; i < score.numel(); ++i) values[i] = rng.uniform();
      scores.push_back(score);
    }
    return scores;
  }
};

}  // namespace

STRUCTLAB_REGISTER_PRUNER(RandomPruner, random)
