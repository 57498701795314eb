// Model kind `dan_cells`: a randomly wired cell network (RandWire) on the run's structure; each vertex is a
// convolutional cell, each edge a prunable aggregation weight.

#include <memory>
#include <string>

#include "structlab/error.hpp"
#include "structlab/nn/masked_cell_dan.hpp"
#include "structlab/plugin/model_kind.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class CellDan : public structlab::plugin::ModelKind {
 public:
  static structlab::plugin::PluginInfo info() {
    return {
        "randomly wired cell network on the run's structure (RandWire): a stem feeds the sources, every "
        "vertex "
        "is a convolutional cell reading a positive weighted sum of its in-neighbours' maps, the sinks are "
        "averaged into a linear classifier; the masked layers are the edges' aggregation weights (images "
        "only)",
        "1.0.0",
        {structlab::optional_param("channels", std::int64_t{32}, "channels of every vertex's feature map"),
         structlab::optional_param(
             "cell", std::string("relu_sepconv_bn"),
             "what every vertex computes: relu_sepconv_bn (ReLU -> depthwise 3x3 -> "
             "pointwise 1x1 -> BatchNorm, RandWire's) or relu_conv_bn (ReLU -> 3x3 conv "
             "-> BatchNorm)"),
         structlab::optional_param("stem_stride", std::int64_t{2},
                                   "stride of the stem's 3x3 convolution (the maps' downsampling)")}};
  }

  explicit CellDan(const structlab::Params& params)
      : channels_(params.get_int("channels")), stem_stride_(params.get_int("stem_stride")) {
    if (channels_ < 1) params.fail("channels", "is " + std::to_string(channels_) + "; expected at least 1");
    if (stem_stride_ < 1) {
      params.fail("stem_stride", "is " + std::to_string(stem_stride_) + "; expected at least 1");
    }
    try {
      cell_ = structlab::nn::parse_dan_cell(params.get_string("cell"));
    } catch (const structlab::ConfigError& error) {
      params.fail("cell", error.what());
    }
  }

  bool needs_structure() const override { return true; }

  std::shared_ptr<structlab::nn::MaskedModel> build(
      const structlab::plugin::ModelContext& context) const override {
    if (context.structure == nullptr) {
      throw structlab::ConfigError(
          "model 'dan_cells' builds on a structure, but the run has none: add a `structure:` section (a "
          "generator) to the spec");
    }
    structlab::nn::MaskedCellDAN model(
        *context.structure, structlab::nn::MaskedCellDANOptions(context.input_shape, context.num_outputs)
                                .channels(channels_)
                                .cell(cell_)
                                .stem_stride(stem_stride_));
    return model.ptr();
  }

 private:
  std::int64_t channels_;
  std::int64_t stem_stride_;
  structlab::nn::DanCell cell_ = structlab::nn::DanCell::relu_sepconv_bn;
};

}  // namespace

STRUCTLAB_REGISTER_MODEL(CellDan, dan_cells)
