// Model kind `ffn`: the seed's MaskedDeepFFN, widths from parameters; needs no structure.

#include <memory>

#include "structlab/nn/masked_deep_ffn.hpp"
#include "structlab/plugin/model_kind.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class FeedForward : public structlab::plugin::ModelKind {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"masked feed-forward net: input -> hidden widths -> outputs, ReLU between (no structure needed)",
            "1.0.0",
            {structlab::optional_param("hidden_widths", std::vector<std::int64_t>{100, 100},
                                       "width of each hidden layer, input side first; [] for none"),
             structlab::optional_param("bias", true, "whether every layer has a bias")}};
  }

  explicit FeedForward(const structlab::Params& params)
      : hidden_widths_(params.get_int_list("hidden_widths")), bias_(params.get_bool("bias")) {
    for (std::size_t i = 0; i < hidden_widths_.size(); ++i) {
      if (hidden_widths_[i] < 1) {
        params.fail("hidden_widths", "entry " + std::to_string(i) + " is " +
                                         std::to_string(hidden_widths_[i]) +
                                         "; every width must be at least 1");
      }
    }
  }

  bool needs_structure() const override { return false; }

  std::shared_ptr<structlab::nn::MaskedModel> build(
      const structlab::plugin::ModelContext& context) const override {
    structlab::nn::MaskedDeepFFN model(
        structlab::nn::MaskedDeepFFNOptions(context.input_shape, context.num_outputs, hidden_widths_)
            .bias(bias_));
    return model.ptr();
  }

 private:
  std::vector<std::int64_t> hidden_widths_;
  bool bias_;
};

}  // namespace

STRUCTLAB_REGISTER_MODEL(FeedForward, ffn)
