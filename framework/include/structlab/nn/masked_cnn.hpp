#pragma once
/// \file
/// MaskedCNN: a LeNet-5-style convolutional net of masked layers: conv -> ReLU -> max-pool stages, then a
/// masked classifier.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "structlab/graph/layered_graph.hpp"
#include "structlab/nn/masked_conv2d.hpp"
#include "structlab/nn/masked_linear.hpp"
#include "structlab/nn/masked_model.hpp"

namespace structlab::nn {

/// Options of a MaskedCNN. LeNet-5 on 28x28 images is channels {6, 16}, kernel_sizes {5, 5}, paddings {2, 0},
/// pool 2, hidden_widths {120, 84}.
struct MaskedCNNOptions {
  /// A net for images of shape \p input_shape ([channels, height, width]) with \p num_outputs outputs.
  MaskedCNNOptions(std::vector<std::int64_t> input_shape, std::int64_t num_outputs)
      : input_shape_(std::move(input_shape)), num_outputs_(num_outputs) {}
  TORCH_ARG(std::vector<std::int64_t>, input_shape);                ///< [channels, height, width]
  TORCH_ARG(std::int64_t, num_outputs);                             ///< classes or regression targets
  TORCH_ARG(std::vector<std::int64_t>, channels) = {6, 16};         ///< output channels of each conv stage
  TORCH_ARG(std::vector<std::int64_t>, kernel_sizes) = {5, 5};      ///< kernel size of each conv stage
  TORCH_ARG(std::vector<std::int64_t>, paddings) = {2, 0};          ///< zero padding of each conv stage
  TORCH_ARG(std::int64_t, pool) = 2;                                ///< max-pool size and stride; 1: none
  TORCH_ARG(std::vector<std::int64_t>, hidden_widths) = {120, 84};  ///< classifier hidden widths
  TORCH_ARG(bool, bias) = true;                                     ///< whether every layer has a bias
};

/// A LeNet-5-style net: masked conv stages "conv_0", "conv_1", ... (each conv -> ReLU -> max-pool), then
/// masked linear layers "linear_0", ... with ReLU between, the last one ("output") giving the outputs.
///
/// Structure layer i is the output channels of conv stage i, then one layer per hidden width; a unit of a
/// conv stage is a channel. The first linear layer reads the last stage's flattened feature maps; its
/// masked-layer view is [out, channels, height * width] (a view of the [out, channels * height * width]
/// weight), so its columns are the channels that feed it, as for the other layers.
class MaskedCNNImpl : public MaskedModel {
 public:
  /// Builds the net; throws ModelError for an input shape that is not [c, h, w], lists of different lengths,
  /// a non-positive size, or an image that the stages shrink to nothing (naming the stage).
  explicit MaskedCNNImpl(const MaskedCNNOptions& options);

  /// Logits [batch, num_outputs] for input [batch, c, h, w] (or [batch, c * h * w]); throws ModelError when
  /// the sample size does not match the input shape.
  torch::Tensor forward(const torch::Tensor& input) override;
  /// conv_0, ..., linear_0, ..., output in forward order.
  std::vector<MaskedLayerRef> masked_layers() override;
  /// The channel graph of the conv stages (an edge c_in -> c_out where any entry of their kernel is active)
  /// followed by the neuron graph of the classifier (an edge from channel c of the last stage to a unit where
  /// any weight reading c's feature map is active). Vertices layer by layer: the input channels when \p
  /// include_input, the channels of each stage, the hidden units, the outputs when \p include_output.
  graph::LayeredGraph generate_structure(bool include_input, bool include_output) override;
  /// Conv stages plus hidden widths.
  std::int64_t num_structure_layers() const override;
  /// Prints the shape and the parameter and active weight counts.
  void pretty_print(std::ostream& stream) const override;

  /// The options the net was built with.
  MaskedCNNOptions options;

 private:
  std::vector<MaskedConv2d> convolutions_;
  std::vector<MaskedLinear> linears_;  // forward order, the last one is "output"
  std::int64_t flat_channels_ = 0;     // channels of the last stage's feature maps
  std::int64_t flat_pixels_ = 0;       // their height * width
};

/// Module holder for MaskedCNNImpl.
TORCH_MODULE(MaskedCNN);

}  // namespace structlab::nn
