// Model kind `rnn`: deepstruct's MaskedDeepRNN, stacked masked recurrent layers (rnn, gru or lstm) and a
// masked output layer on the last step; for sequence datasets, needs no structure.

#include <memory>
#include <string>
#include <vector>

#include "structlab/error.hpp"
#include "structlab/nn/masked_deep_rnn.hpp"
#include "structlab/plugin/model_kind.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class RecurrentNet : public structlab::plugin::ModelKind {
 public:
  static structlab::plugin::PluginInfo info() {
    return {
        "masked recurrent net: rnn, gru or lstm layers, then a masked output layer on the last step "
        "(sequences [steps, features]; no structure needed)",
        "1.0.0",
        {structlab::optional_param("cell", std::string("lstm"), "rnn (tanh), gru or lstm"),
         structlab::optional_param("hidden_widths", std::vector<std::int64_t>{128},
                                   "hidden units of each recurrent layer, input side first"),
         structlab::optional_param("bias", true, "whether every layer has biases")}};
  }

  explicit RecurrentNet(const structlab::Params& params)
      : hidden_widths_(params.get_int_list("hidden_widths")), bias_(params.get_bool("bias")) {
    try {
      cell_ = structlab::nn::parse_recurrent_cell(params.get_string("cell"));
    } catch (const structlab::ConfigError& e) {
      params.fail("cell", e.what());
    }
    if (hidden_widths_.empty()) params.fail("hidden_widths", "must list at least one recurrent layer");
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
    structlab::nn::MaskedDeepRNN model(
        structlab::nn::MaskedDeepRNNOptions(context.input_shape, context.num_outputs, hidden_widths_)
            .cell(cell_)
            .bias(bias_));
    return model.ptr();
  }

 private:
  std::vector<std::int64_t> hidden_widths_;
  bool bias_;
  structlab::nn::RecurrentCell cell_ = structlab::nn::RecurrentCell::lstm;
};

}  // namespace

STRUCTLAB_REGISTER_MODEL(RecurrentNet, rnn)
