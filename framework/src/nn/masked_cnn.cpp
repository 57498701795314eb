#include "structlab/nn/masked_cnn.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nn/model_input.hpp"
#include "structlab/error.hpp"

namespace structlab::nn {
namespace {

void check_options(const MaskedCNNOptions& options) {
  const auto& shape = options.input_shape();
  if (shape.size() != 3 || shape[0] <= 0 || shape[1] <= 0 || shape[2] <= 0) {
    throw ModelError(
        fmt::format("cnn: the input shape must be [channels, height, width] with positive sizes, got "
                    "[{}]; the dataset must give images",
                    fmt::join(shape, ", ")));
  }
  detail::check_output_count(options.num_outputs(), "cnn");
  const std::size_t stages = options.channels().size();
  if (stages == 0)
    throw ModelError("cnn: channels must list at least one conv stage (use the ffn model otherwise)");
  if (options.kernel_sizes().size() != stages || options.paddings().size() != stages) {
    throw ModelError(
        fmt::format("cnn: channels, kernel_sizes and paddings must have one entry per conv stage; got "
                    "{}, {} and {} entries",
                    stages, options.kernel_sizes().size(), options.paddings().size()));
  }
  if (options.pool() < 1)
    throw ModelError(fmt::format("cnn: pool must be at least 1, got {}", options.pool()));
  for (std::size_t i = 0; i < options.hidden_widths().size(); ++i) {
    if (options.hidden_widths()[i] < 1) {
      throw ModelError(fmt::format("cnn: hidden_widths entry {} is {}; every width must be at least 1", i,
                                   options.hidden_widths()[i]));
    }
  }
}

std::string linear_name(std::size_t index, std::size_t count) {
  return index + 1 == count ? "output" : "linear_" + std::to_string(index);
}

}  // namespace

MaskedCNNImpl::MaskedCNNImpl(const MaskedCNNOptions& options_) : options(options_) {
  check_options(options);
  std::int64_t channels = options.input_shape()[0];
  std::int64_t height = options.input_shape()[1], width = options.input_shape()[2];
  for (std::size_t i = 0; i < options.channels().size(); ++i) {
    auto conv = MaskedConv2d(MaskedConv2dOptions(channels, options.channels()[i], options.kernel_sizes()[i])
                                 .padding(options.paddings()[i])
                                 .bias(options.bias()));
    height = conv->output_size(height) / options.pool();
    width = conv->output_size(width) / options.pool();
    if (height < 1 || width < 1) {
      throw ModelError(
          fmt::format("cnn: conv stage {} (kernel {}, padding {}, pool {}) shrinks the [{}] input to "
                      "nothing; use smaller kernels, more padding or a smaller pool",
                      i, options.kernel_sizes()[i], options.paddings()[i], options.pool(),
                      fmt::join(options.input_shape(), ", ")));
    }
    convolutions_.push_back(register_module("conv_" + std::to_string(i), conv));
    channels = options.channels()[i];
  }
  flat_channels_ = channels;
  flat_pixels_ = height * width;
  std::vector<std::int64_t> sizes{channels * height * width};
  sizes.insert(sizes.end(), options.hidden_widths().begin(), options.hidden_widths().end());
  sizes.push_back(options.num_outputs());
  const std::size_t count = sizes.size() - 1;
  for (std::size_t i = 0; i < count; ++i) {
    linears_.push_back(
        register_module(linear_name(i, count),
                        MaskedLinear(MaskedLinearOptions(sizes[i], sizes[i + 1]).bias(options.bias()))));
  }
}

torch::Tensor MaskedCNNImpl::forward(const torch::Tensor& input) {
  const auto& shape = options.input_shape();
  const std::int64_t features = shape[0] * shape[1] * shape[2];
  torch::Tensor x =
      detail::flatten_batch(input, features, "cnn").view({input.size(0), shape[0], shape[1], shape[2]});
  for (auto& conv : convolutions_) {
    x = torch::relu(conv->forward(x));
    if (options.pool() > 1) x = torch::max_pool2d(x, options.pool());
  }
  x = x.flatten(1);
  for (std::size_t i = 0; i < linears_.size(); ++i) {
    x = linears_[i]->forward(x);
    if (i + 1 < linears_.size()) x = torch::relu(x);
  }
  return x;
}

std::vector<MaskedLayerRef> MaskedCNNImpl::masked_layers() {
  std::vector<MaskedLayerRef> refs;
  std::int64_t layer = 0;
  for (std::size_t i = 0; i < convolutions_.size(); ++i, ++layer) {
    const auto& conv = convolutions_[i];
    refs.emplace_back("conv_" + std::to_string(i), conv->weight, conv->bias, conv->mask(), layer - 1, layer);
  }
  for (std::size_t i = 0; i < linears_.size(); ++i, ++layer) {
    const auto& linear = linears_[i];
    const std::string name = linear_name(i, linears_.size());
    if (i > 0) {
      refs.emplace_back(name, linear, layer - 1, layer);
      continue;
    }
    // the columns that read one channel's feature map side by side: [out, channels, pixels]
    const std::vector<std::int64_t> by_channel{linear->options.out_features(), flat_channels_, flat_pixels_};
    refs.emplace_back(name, linear->weight.view(by_channel), linear->bias, linear->mask().view(by_channel),
                      layer - 1, layer);
  }
  return refs;
}

graph::LayeredGraph MaskedCNNImpl::generate_structure(bool include_input, bool include_output) {
  return chain_structure(masked_layers(), options.input_shape()[0], include_input, include_output);
}

std::int64_t MaskedCNNImpl::num_structure_layers() const {
  return static_cast<std::int64_t>(convolutions_.size() + options.hidden_widths().size());
}

void MaskedCNNImpl::pretty_print(std::ostream& stream) const {
  std::int64_t active = 0, total = 0;
  for (const auto& conv : convolutions_) {
    active += conv->mask().sum().item<std::int64_t>();
    total += conv->mask().numel();
  }
  for (const auto& linear : linears_) {
    active += linear->active_weight_count();
    total += linear->total_weight_count();
  }
  stream << "structlab::nn::MaskedCNN(input=[" << fmt::format("{}", fmt::join(options.input_shape(), ", "))
         << "], channels=[" << fmt::format("{}", fmt::join(options.channels(), ", ")) << "], hidden=["
         << fmt::format("{}", fmt::join(options.hidden_widths(), ", "))
         << "], outputs=" << options.num_outputs() << ", active_weights=" << active << "/" << total << ")";
}

}  // namespace structlab::nn
