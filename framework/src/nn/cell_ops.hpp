#pragma once
// The convolutional parts of a MaskedCellDAN: the stem, and the cells of one structure layer run as one op.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "structlab/nn/masked_cell_dan.hpp"

namespace structlab::nn::detail {

/// A weight of \p shape drawn as torch::nn::Conv2d draws its own (kaiming uniform with a = sqrt(5): U(-b, b),
/// b = 1 / sqrt(\p fan_in)), from this thread's initialisation generator.
torch::Tensor conv_weight(const std::vector<std::int64_t>& shape, std::int64_t fan_in);

/// The stem: a 3x3 convolution (padding 1, no bias) from the image channels to C, then BatchNorm. Parameter
/// "conv" [C, c, 3, 3], submodule "norm".
class CellStemImpl : public torch::nn::Module {
 public:
  /// A stem from \p image_channels to \p channels with stride \p stride.
  CellStemImpl(std::int64_t image_channels, std::int64_t channels, std::int64_t stride);
  /// [batch, C, h', w'] for images [batch, c, h, w]; h' = (h - 1) / stride + 1.
  torch::Tensor forward(const torch::Tensor& images);

 private:
  std::int64_t stride_;
  torch::Tensor conv_;
  torch::nn::BatchNorm2d norm_{nullptr};
};

/// The n cells of one structure layer, C channels each, computed together: the input [batch, n, C, H, W] is
/// read as [batch, n * C, H, W], so cell v owns channels v*C .. v*C + C - 1 of one grouped convolution
/// (groups = n) and of one BatchNorm. relu_conv_bn: parameter "conv" [n*C, C, 3, 3]; relu_sepconv_bn:
/// "depthwise" [n*C, 1, 3, 3] (groups = n*C) and "pointwise" [n*C, C, 1, 1] (a 1x1 convolution with groups =
/// n, computed as one batched matrix product); both: submodule "norm" over n*C channels.
class CellLayerImpl : public torch::nn::Module {
 public:
  /// The cells of \p vertices vertices with \p channels channels each, computing \p cell.
  CellLayerImpl(std::int64_t vertices, std::int64_t channels, DanCell cell);
  /// The cells' output maps [batch, n, C, H, W] for their input maps [batch, n, C, H, W] (or any shape
  /// holding [batch, n * C, H, W] after a view); \p height and \p width are the maps' sides.
  torch::Tensor forward(const torch::Tensor& inputs, std::int64_t height, std::int64_t width);

 private:
  std::int64_t vertices_, channels_;
  DanCell cell_;
  torch::Tensor conv_, depthwise_, pointwise_;
  torch::nn::BatchNorm2d norm_{nullptr};
};

}  // namespace structlab::nn::detail
