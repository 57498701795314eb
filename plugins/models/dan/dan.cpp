// Model kind `dan`: the seed's MaskedDeepDAN on the run's generated structure.

#include <memory>

#include "structlab/error.hpp"
#include "structlab/nn/masked_deep_dan.hpp"
#include "structlab/plugin/model_kind.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class DeepDan : public structlab::plugin::ModelKind {
 public:
  static structlab::plugin::PluginInfo info() {
    return {
        "masked deep directed acyclic network on the run's structure: one masked layer per connected layer "
        "pair",
        "1.0.0",
        {structlab::optional_param("aggregate", std::string("sum_of_activations"),
                                   "sum_of_activations (the seed's: sum of ReLUs of each source layer) or "
                                   "activation_of_sum (ReLU of the summed inputs)"),
         structlab::optional_param(
             "sinks_to_output", false,
             "vertices without outgoing edges below the last layer also feed the output, through one "
             "masked layer output_from_<s> per structure layer s holding such sinks"),
         structlab::optional_param("layer_norm", false,
                                   "layer-normalise every structure layer's activations")}};
  }

  explicit DeepDan(const structlab::Params& params)
      : sinks_to_output_(params.get_bool("sinks_to_output")), layer_norm_(params.get_bool("layer_norm")) {
    try {
      aggregate_ = structlab::nn::parse_dan_aggregate(params.get_string("aggregate"));
    } catch (const structlab::ConfigError& error) {
      params.fail("aggregate", error.what());
    }
  }

  bool needs_structure() const override { return true; }

  std::shared_ptr<structlab::nn::MaskedModel> build(
      const structlab::plugin::ModelContext& context) const override {
    if (context.structure == nullptr) {
      throw structlab::ConfigError(
          "model 'dan' builds on a structure, but the run has none: add a `structure:` section (a generator) "
          "to the "
          "spec");
    }
    structlab::nn::MaskedDeepDAN model(
        *context.structure, structlab::nn::MaskedDeepDANOptions(context.input_shape, context.num_outputs)
                                .aggregate(aggregate_)
                                .sinks_to_output(sinks_to_output_)
                                .layer_norm(layer_norm_));
    return model.ptr();
  }

 private:
  structlab::nn::DanAggregate aggregate_ = structlab::nn::DanAggregate::sum_of_activations;
  bool sinks_to_output_;
  bool layer_norm_;
};

}  // namespace

STRUCTLAB_REGISTER_MODEL(DeepDan, dan)
