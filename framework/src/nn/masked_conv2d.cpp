#include "structlab/nn/masked_conv2d.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "structlab/error.hpp"
#include "structlab/nn/init_generator.hpp"

namespace structlab::nn {
namespace {

void check_options(const MaskedConv2dOptions& options) {
  if (options.in_channels() <= 0 || options.out_channels() <= 0 || options.kernel_size() <= 0 ||
      options.stride() <= 0 || options.padding() < 0) {
    throw ModelError(fmt::format(
        "MaskedConv2d: in_channels, out_channels, kernel_size and stride must be positive and padding not "
        "negative; got in_channels={}, out_channels={}, kernel_size={}, stride={}, padding={}",
        options.in_channels(), options.out_channels(), options.kernel_size(), options.stride(),
        options.padding()));
  }
}

}  // namespace

MaskedConv2dImpl::MaskedConv2dImpl(const MaskedConv2dOptions& options_) : options(options_) {
  check_options(options);
  reset();
}

void MaskedConv2dImpl::reset() {
  const std::int64_t k = options.kernel_size();
  const std::vector<std::int64_t> shape{options.out_channels(), options.in_channels(), k, k};
  if (named_parameters(/*recurse=*/false).find("weight") == nullptr) {
    weight = register_parameter("weight", torch::empty(shape));
    bias = options.bias() ? register_parameter("bias", torch::empty({options.out_channels()}))
                          : register_parameter("bias", torch::Tensor(), /*requires_grad=*/false);
    mask_ = register_buffer("mask", torch::ones(shape, torch::kBool));
  }
  torch::NoGradGuard no_grad;
  // torch::nn::Conv2d's initialisation (kaiming_uniform_ with a = sqrt(5) over fan_in = in * kh * kw), drawn
  // from this thread's initialisation generator
  const auto generator = init_generator();
  const double fan_in = static_cast<double>(options.in_channels() * k * k);
  const double a = std::sqrt(5.0);
  const double gain = std::sqrt(2.0 / (1 + a * a));
  const double weight_bound = std::sqrt(3.0) * (gain / std::sqrt(fan_in));
  weight.uniform_(-weight_bound, weight_bound, generator);
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(fan_in);
    bias.uniform_(-bound, bound, generator);
  }
  mask_.fill_(true);
}

void MaskedConv2dImpl::to(torch::Device device, torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(device, dtype, non_blocking);
  keep_mask_bool();
}

void MaskedConv2dImpl::to(torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(dtype, non_blocking);
  keep_mask_bool();
}

void MaskedConv2dImpl::keep_mask_bool() {
  // Module::to converts every buffer; the mask holds 0/1, so converting it back is exact
  if (mask_.scalar_type() != torch::kBool) mask_.set_data(mask_.to(torch::kBool));
}

void MaskedConv2dImpl::pretty_print(std::ostream& stream) const {
  stream << "structlab::nn::MaskedConv2d(in=" << options.in_channels() << ", out=" << options.out_channels()
         << ", kernel=" << options.kernel_size() << ", stride=" << options.stride()
         << ", padding=" << options.padding() << ", active=" << mask_.sum().item<std::int64_t>() << "/"
         << mask_.numel() << ")";
}

std::int64_t MaskedConv2dImpl::output_size(std::int64_t size) const {
  const std::int64_t padded = size + 2 * options.padding() - options.kernel_size();
  return padded < 0 ? 0 : padded / options.stride() + 1;
}

torch::Tensor MaskedConv2dImpl::forward(const torch::Tensor& input) {
  if (input.dim() != 4 || input.size(1) != options.in_channels() || output_size(input.size(2)) == 0 ||
      output_size(input.size(3)) == 0) {
    throw ModelError(fmt::format(
        "MaskedConv2d: input of shape [{}] given, expected [batch, {}, h, w] with h and w "
        "at least {} after padding {}",
        fmt::join(input.sizes(), ", "), options.in_channels(), options.kernel_size(), options.padding()));
  }
  const auto multiplier = multiplier_.get(mask_, weight);
  const torch::Tensor effective = multiplier.defined() ? weight * multiplier : weight;
  return torch::conv2d(input, effective, bias, options.stride(), options.padding());
}

}  // namespace structlab::nn
