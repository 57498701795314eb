// Model kind `cnn`: a LeNet-5-style masked convolutional net (conv -> ReLU -> max-pool stages, then a masked
// classifier); needs no structure.

#include <memory>
#include <string>
#include <vector>

#include "structlab/nn/masked_cnn.hpp"
#include "structlab/plugin/model_kind.hpp"
#include "structlab/plugin/register.hpp"

namespace {

using IntList = std::vector<std::int64_t>;

class ConvolutionalNet : public structlab::plugin::ModelKind {
 public:
  static structlab::plugin::PluginInfo info() {
    return {
        "masked LeNet-5-style CNN: conv -> ReLU -> max-pool stages, then masked linear layers (no structure "
        "needed; images only)",
        "1.0.0",
        {structlab::optional_param("channels", IntList{6, 16}, "output channels of each conv stage"),
         structlab::optional_param("kernel_sizes", IntList{5, 5}, "square kernel size of each conv stage"),
         structlab::optional_param("paddings", IntList{2, 0}, "zero padding of each conv stage"),
         structlab::optional_param("pool", std::int64_t{2},
                                   "max-pool size and stride after each stage; 1: none"),
         structlab::optional_param("hidden_widths", IntList{120, 84},
                                   "width of each hidden classifier layer; [] for none"),
         structlab::optional_param("bias", true, "whether every layer has a bias")}};
  }

  explicit ConvolutionalNet(const structlab::Params& params)
      : channels_(params.get_int_list("channels")),
        kernel_sizes_(params.get_int_list("kernel_sizes")),
        paddings_(params.get_int_list("paddings")),
        pool_(params.get_int("pool")),
        hidden_widths_(params.get_int_list("hidden_widths")),
        bias_(params.get_bool("bias")) {
    if (channels_.empty())
      params.fail("channels", "must list at least one conv stage (use the ffn model otherwise)");
    require_each(params, "channels", channels_, 1);
    require_each(params, "kernel_sizes", kernel_sizes_, 1);
    require_each(params, "paddings", paddings_, 0);
    require_each(params, "hidden_widths", hidden_widths_, 1);
    for (const char* key : {"kernel_sizes", "paddings"}) {
      const auto& list = params.get_int_list(key);
      if (list.size() != channels_.size()) {
        params.fail(key, "has " + std::to_string(list.size()) + " entries; expected one per conv stage (" +
                             std::to_string(channels_.size()) + ", as channels has)");
      }
    }
    if (pool_ < 1) params.fail("pool", "is " + std::to_string(pool_) + "; expected 1 (no pooling) or more");
  }

  bool needs_structure() const override { return false; }

  std::shared_ptr<structlab::nn::MaskedModel> build(
      const structlab::plugin::ModelContext& context) const override {
    structlab::nn::MaskedCNN model(structlab::nn::MaskedCNNOptions(context.input_shape, context.num_outputs)
                                       .channels(channels_)
                                       .kernel_sizes(kernel_sizes_)
                                       .paddings(paddings_)
                                       .pool(pool_)
                                       .hidden_widths(hidden_widths_)
                                       .bias(bias_));
    return model.ptr();
  }

 private:
  static void require_each(const structlab::Params& params, const char* key, const IntList& list,
                           std::int64_t minimum) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (list[i] < minimum) {
        params.fail(key, "entry " + std::to_string(i) + " is " + std::to_string(list[i]) +
                             "; expected at least " + std::to_string(minimum));
      }
    }
  }

  IntList channels_, kernel_sizes_, paddings_;
  std::int64_t pool_;
  IntList hidden_widths_;
  bool bias_;
};

}  // namespace

STRUCTLAB_REGISTER_MODEL(ConvolutionalNet, cnn)
