#pragma once
/// \file
/// MaskedConv2d: a 2-D convolution whose weight is multiplied by a boolean mask in every forward pass.

#include <torch/torch.h>

#include <cstdint>
#include <ostream>

#include "structlab/nn/masked_linear.hpp"

namespace structlab::nn {

/// Options of a MaskedConv2d layer (square kernels, the same stride and padding on both axes).
struct MaskedConv2dOptions {
  /// A layer from \p in_channels to \p out_channels with \p kernel_size x \p kernel_size kernels.
  MaskedConv2dOptions(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TORCH_ARG(std::int64_t, in_channels);   ///< input channels
  TORCH_ARG(std::int64_t, out_channels);  ///< output channels
  TORCH_ARG(std::int64_t, kernel_size);   ///< kernel height and width
  TORCH_ARG(std::int64_t, stride) = 1;    ///< stride on both axes
  TORCH_ARG(std::int64_t, padding) = 0;   ///< zero padding on both axes
  TORCH_ARG(bool, bias) = true;           ///< whether the layer has a bias
};

/// A torch Conv2d layer plus a bool mask buffer [out, in, kh, kw], all true at start.
///
/// forward(x) = conv2d(x, weight * mask, bias), so masked-out weights get zero gradient and have no effect
/// whatever the optimizer does to their stored value. Registers parameters "weight" and "bias" and the buffer
/// "mask"; weights start as torch::nn::Conv2d's do.
class MaskedConv2dImpl : public torch::nn::Cloneable<MaskedConv2dImpl> {
 public:
  /// A layer from options; throws ModelError when a size is not positive or the padding is negative.
  explicit MaskedConv2dImpl(const MaskedConv2dOptions& options);
  /// (Re)initialises weight and bias as torch::nn::Conv2d does and sets the mask to all true.
  void reset() override;
  /// Converts weight and bias to \p dtype on \p device; the mask moves to \p device and stays bool.
  void to(torch::Device device, torch::Dtype dtype, bool non_blocking = false) override;
  /// Converts weight and bias to \p dtype; the mask stays bool.
  void to(torch::Dtype dtype, bool non_blocking = false) override;
  using torch::nn::Module::to;
  /// Prints "structlab::nn::MaskedConv2d(in=.., out=.., kernel=.., stride=.., padding=.., active=..)".
  void pretty_print(std::ostream& stream) const override;

  /// conv2d(input, weight * mask, bias); throws ModelError when \p input is not [batch, in_channels, h, w] or
  /// is smaller than the kernel.
  torch::Tensor forward(const torch::Tensor& input);
  /// The spatial size of the output for an input of \p size pixels along one axis (0 when it is too small).
  std::int64_t output_size(std::int64_t size) const;
  /// The current mask (bool, [out, in, kh, kw]).
  const torch::Tensor& mask() const { return mask_; }

  /// Weight [out, in, kh, kw].
  torch::Tensor weight;
  /// Bias [out]; undefined when the layer has none.
  torch::Tensor bias;
  /// The options the layer was built with.
  MaskedConv2dOptions options;

 private:
  void keep_mask_bool();

  torch::Tensor mask_;
  mutable detail::MaskMultiplierCache multiplier_;
};

/// Module holder for MaskedConv2dImpl, as torch::nn::Conv2d is for Conv2dImpl.
TORCH_MODULE(MaskedConv2d);

}  // namespace structlab::nn
