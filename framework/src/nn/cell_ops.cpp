#include "nn/cell_ops.hpp"

#include <cmath>

#include "structlab/nn/init_generator.hpp"

namespace structlab::nn::detail {

torch::Tensor conv_weight(const std::vector<std::int64_t>& shape, std::int64_t fan_in) {
  torch::NoGradGuard no_grad;
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return torch::empty(shape).uniform_(-bound, bound, init_generator());
}

CellStemImpl::CellStemImpl(std::int64_t image_channels, std::int64_t channels, std::int64_t stride)
    : stride_(stride) {
  conv_ = register_parameter("conv", conv_weight({channels, image_channels, 3, 3}, image_channels * 9));
  norm_ = register_module("norm", torch::nn::BatchNorm2d(channels));
}

torch::Tensor CellStemImpl::forward(const torch::Tensor& images) {
  return norm_->forward(torch::conv2d(images, conv_, /*bias=*/{}, stride_, /*padding=*/1));
}

CellLayerImpl::CellLayerImpl(std::int64_t vertices, std::int64_t channels, DanCell cell)
    : vertices_(vertices), channels_(channels), cell_(cell) {
  const std::int64_t all = vertices * channels;
  if (cell == DanCell::relu_conv_bn) {
    conv_ = register_parameter("conv", conv_weight({all, channels, 3, 3}, channels * 9));
  } else {
    depthwise_ = register_parameter("depthwise", conv_weight({all, 1, 3, 3}, 9));
    pointwise_ = register_parameter("pointwise", conv_weight({all, channels, 1, 1}, channels));
  }
  norm_ = register_module("norm", torch::nn::BatchNorm2d(all));
}

torch::Tensor CellLayerImpl::forward(const torch::Tensor& inputs, std::int64_t height, std::int64_t width) {
  const std::int64_t batch = inputs.size(0);
  auto maps = torch::relu(inputs.reshape({batch, vertices_ * channels_, height, width}));
  if (cell_ == DanCell::relu_conv_bn) {
    maps = torch::conv2d(maps, conv_, /*bias=*/{}, /*stride=*/1, /*padding=*/1, /*dilation=*/1, vertices_);
  } else {
    maps = torch::conv2d(maps, depthwise_, {}, 1, 1, 1, vertices_ * channels_);
    // the grouped 1x1 convolution as one batched product per vertex, [C, C] x [C, H * W]: on the CPU several
    // times faster than conv2d with groups
    maps = torch::matmul(pointwise_.view({vertices_, channels_, channels_}),
                         maps.reshape({batch, vertices_, channels_, height * width}))
               .reshape({batch, vertices_ * channels_, height, width});
  }
  return norm_->forward(maps).reshape({batch, vertices_, channels_, height, width});
}

}  // namespace structlab::nn::detail
