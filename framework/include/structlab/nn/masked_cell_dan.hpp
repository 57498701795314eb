#pragma once
/// \file
/// MaskedCellDAN: a randomly wired network (RandWire, Xie et al. 2019) on a LayeredGraph: every vertex is a
/// convolutional cell, every edge carries a feature map scaled by a learnable, prunable aggregation weight.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "structlab/graph/layered_graph.hpp"
#include "structlab/nn/masked_model.hpp"

namespace structlab::nn {

namespace detail {
struct DanPlan;
class CellStemImpl;
class CellLayerImpl;
}  // namespace detail

/// What one vertex of a MaskedCellDAN computes from its aggregated input map.
enum class DanCell {
  relu_conv_bn,     ///< ReLU -> 3x3 convolution C -> C (padding 1) -> BatchNorm
  relu_sepconv_bn,  ///< ReLU -> depthwise 3x3 -> pointwise 1x1 C -> C -> BatchNorm (RandWire's)
};

/// Parses "relu_conv_bn" or "relu_sepconv_bn"; throws ConfigError naming the accepted values.
DanCell parse_dan_cell(const std::string& text);
/// "relu_conv_bn" or "relu_sepconv_bn".
const char* to_string(DanCell cell);

/// Options of a MaskedCellDAN.
struct MaskedCellDANOptions {
  /// A net for images of shape \p input_shape ([channels, height, width]) with \p num_outputs outputs.
  MaskedCellDANOptions(std::vector<std::int64_t> input_shape, std::int64_t num_outputs)
      : input_shape_(std::move(input_shape)), num_outputs_(num_outputs) {}
  TORCH_ARG(std::vector<std::int64_t>, input_shape);    ///< [channels, height, width]
  TORCH_ARG(std::int64_t, num_outputs);                 ///< classes or regression targets
  TORCH_ARG(std::int64_t, channels) = 32;               ///< channels C of every vertex's feature map
  TORCH_ARG(DanCell, cell) = DanCell::relu_sepconv_bn;  ///< what every vertex computes
  TORCH_ARG(std::int64_t, stem_stride) = 2;             ///< stride of the stem's 3x3 convolution
};

/// A cell network on a structure: a stem (3x3 conv from the image channels to C, stride stem_stride, padding
/// 1, BatchNorm) feeds the sources (layer 0); each vertex v is a cell whose input is the positive weighted
/// sum sum_u |a_uv| * y_u of its in-neighbours' maps (a_uv learnable, 1 at start: the stored value's
/// magnitude is the weight, so magnitude pruning ranks edges by it); the sinks (vertices without out-edges,
/// in any layer) are averaged the same way, then ReLU, global average pooling and a dense linear classifier
/// (C inputs, num_outputs outputs).
///
/// Masked layers are the aggregation weights, one matrix per pair of connected structure layers, with no
/// bias: "input" [n_0, 1] (the stem -> each source), "main_<l>" [n_l, n_{l-1}] and "skip_<s>_<l>" [n_l, n_s]
/// (mask = the structure's edges, rows and columns in ascending vertex id within a layer, as
/// MaskedDeepDAN's), and "output_from_<s>" [1, n_s] for each layer s holding sinks (mask = its sinks'
/// columns; the sinks' weighted sum is divided by the structure's sink count, so it starts as their mean).
/// Every pruner thus prunes edges, and dead-unit counts count vertices. The classifier and the convolutions
/// are not masked. The output layers are left alone by `exclude_output`, the stem's edges are not: with them
/// all pruned nothing reaches the cells, so exclude "input" to prune the structure's edges only. Every cell
/// is a ReLU, a linear map and BatchNorm, so scaling all of a vertex's input weights together changes nothing
/// (BatchNorm's epsilon aside): only their ratios matter, and the weight of a vertex's only in-edge gets next
/// to no gradient.
///
/// A structure layer's cells run together: its input maps are stacked [batch, n_l, C, H, W], each block is
/// one batched matrix product over the vertex axis, and the cells are one grouped convolution (relu_conv_bn:
/// groups = n_l; relu_sepconv_bn: a depthwise one, then the grouped 1x1 convolution as one batched product)
/// and one BatchNorm over n_l * C channels. A vertex whose in-edges are all pruned gets a zero input map; its
/// cell still runs. State names: "stem.conv", "stem.norm.*", "<masked layer>.weight" / ".mask",
/// "cells_<l>.conv" (or "cells_<l>.depthwise" and "cells_<l>.pointwise"), "cells_<l>.norm.*",
/// "classifier.weight" / ".bias".
class MaskedCellDANImpl : public MaskedModel {
 public:
  /// Builds the net on \p structure. Throws GraphError for a graph without vertices or with a cycle (naming
  /// the cycle), ModelError for an input shape that is not [channels, height, width] with positive sizes, or
  /// a non-positive output count, channel count or stem stride.
  MaskedCellDANImpl(const graph::LayeredGraph& structure, const MaskedCellDANOptions& options);
  ~MaskedCellDANImpl() override;

  /// Logits [batch, num_outputs] for input [batch, c, h, w] (or [batch, c * h * w]); throws ModelError when
  /// the sample size does not match the input shape.
  torch::Tensor forward(const torch::Tensor& input) override;
  /// "input", then main_l and skip_s_l by target layer (main first, skips by ascending source), then
  /// output_from_s by ascending s; the refs hold the model's own tensors.
  std::vector<MaskedLayerRef> masked_layers() override;
  /// The structure the model was built from without the edges whose mask entries are false, with the same
  /// vertex ids. \p include_input puts the stem first (id 0, structure ids shifted by 1) with an edge to each
  /// source whose "input" entry is active; \p include_output appends one output vertex fed by each sink whose
  /// "output_from" entry is active.
  graph::LayeredGraph generate_structure(bool include_input, bool include_output) override;
  /// Number of layers of the structure.
  std::int64_t num_structure_layers() const override;
  /// Prints vertices, layers, channels, the cell, the parameter count and the structure's active edges.
  void pretty_print(std::ostream& stream) const override;
  /// Converts the parameters and buffers to \p dtype on \p device; the masks move to \p device and stay bool.
  void to(torch::Device device, torch::Dtype dtype, bool non_blocking = false) override;
  /// Converts the parameters and buffers to \p dtype; the masks stay bool.
  void to(torch::Dtype dtype, bool non_blocking = false) override;
  using torch::nn::Module::to;

  /// The options the net was built with.
  MaskedCellDANOptions options;

 private:
  // one masked aggregation matrix: its name, weight [rows, cols], bool mask, and the structure layers it
  // joins
  struct EdgeBlock {
    std::string name;
    torch::Tensor weight, mask;
    std::int64_t source_layer = 0, target_layer = 0;
  };
  void add_block(const std::string& name, const torch::Tensor& mask, std::int64_t source_layer,
                 std::int64_t target_layer);
  void keep_masks_bool();

  std::shared_ptr<const detail::DanPlan> plan_;
  std::int64_t input_features_ = 0;
  double sink_count_ = 0;  // sinks of the structure: the output's divisor
  std::shared_ptr<detail::CellStemImpl> stem_;
  std::vector<EdgeBlock> blocks_;                  // masked_layers() order
  std::vector<std::size_t> first_block_of_layer_;  // blocks targeting layer l: [first[l], first[l + 1])
  std::size_t first_output_block_ = 0;             // the output_from blocks are [first_output_block_, end)
  std::vector<std::shared_ptr<detail::CellLayerImpl>> cells_;  // one per structure layer
  torch::Tensor classifier_weight_, classifier_bias_;
};

/// Module holder for MaskedCellDANImpl.
TORCH_MODULE(MaskedCellDAN);

}  // namespace structlab::nn
