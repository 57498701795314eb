// neuron: removes whole units, the seed's "first order" sparsity. A unit's score is the norm of all its
// active incoming weights, gathered over every masked layer that feeds its structure layer (a DAN unit can
// be fed by the previous layer and by skip layers); units with the weakest input go first.

#include <fmt/format.h>

#include <map>
#include <string>

#include "structlab/error.hpp"
#include "structlab/plugin/pruner.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class NeuronPruner : public structlab::plugin::PruningStrategy {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"prunes whole units with the smallest norm of their active incoming weights",
            "1.0.0",
            {structlab::optional_param("norm", std::string("l2"), "l1 | l2")}};
  }

  explicit NeuronPruner(const structlab::Params& params) : l1_(params.get_string("norm") == "l1") {
    const std::string& norm = params.get_string("norm");
    if (norm != "l1" && norm != "l2") params.fail("norm", "unknown norm '" + norm + "'; expected l1 or l2");
  }

  structlab::plugin::PruningGranularity granularity() const override {
    return structlab::plugin::PruningGranularity::unit;
  }
  structlab::plugin::SelectionScope scope() const override {
    return structlab::plugin::SelectionScope::global;
  }

  std::vector<torch::Tensor> score(structlab::nn::MaskedModel& model,
                                   structlab::plugin::PruningContext& /*context*/) const override {
    torch::NoGradGuard no_grad;
    const auto layers = model.masked_layers();
    // per structure layer: sum over its incoming rows of |w| (l1) or w^2 (l2)
    std::map<std::int64_t, torch::Tensor> per_unit;
    for (const auto& ref : layers) {
      // a kernel's entries all belong to its row's unit (an output channel)
      const torch::Tensor active = (ref.weight.detach().to(torch::kDouble) * ref.mask).flatten(1);
      const torch::Tensor row_sum = l1_ ? active.abs().sum(1) : active.square().sum(1);
      auto [it, inserted] = per_unit.try_emplace(ref.target_layer, row_sum);
      if (inserted) continue;
      if (it->second.size(0) != row_sum.size(0)) {
        throw structlab::ModelError(
            fmt::format("masked layer '{}' has {} rows, but other layers feeding structure "
                        "layer {} have {}",
                        ref.name, row_sum.size(0), ref.target_layer, it->second.size(0)));
      }
      it->second = it->second + row_sum;
    }
    std::vector<torch::Tensor> scores;
    for (const auto& ref : layers) {
      const torch::Tensor& sum = per_unit.at(ref.target_layer);
      scores.push_back(l1_ ? sum : sum.sqrt());
    }
    return scores;
  }

 private:
  bool l1_;
};

}  // namespace

STRUCTLAB_REGISTER_PRUNER(NeuronPruner, neuron)
