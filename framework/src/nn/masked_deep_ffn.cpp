#include "structlab/nn/masked_deep_ffn.hpp"

#include "nn/model_input.hpp"
#include "structlab/error.hpp"

namespace structlab::nn {
namespace {

constexpr const char* kModel = "MaskedDeepFFN";

std::string layer_name(std::size_t index, std::size_t count) {
  if (index + 1 == count) return "output";
  if (index == 0) return "input";
  return "main_" + std::to_string(index);
}

}  // namespace

MaskedDeepFFNImpl::MaskedDeepFFNImpl(const MaskedDeepFFNOptions& options_) : options(options_) {
  input_features_ = detail::checked_feature_count(options.input_shape(), kModel);
  detail::check_output_count(options.num_outputs(), kModel);
  const auto& widths = options.hidden_widths();
  for (std::size_t i = 0; i < widths.size(); ++i) {
    if (widths[i] <= 0) {
      throw ModelError(std::string(kModel) + ": hidden_widths[" + std::to_string(i) + "] is " +
                       std::to_string(widths[i]) + "; every hidden width must be at least 1");
    }
  }
  std::vector<std::int64_t> sizes{input_features_};
  sizes.insert(sizes.end(), widths.begin(), widths.end());
  sizes.push_back(options.num_outputs());
  const std::size_t count = sizes.size() - 1;
  for (std::size_t i = 0; i < count; ++i) {
    layers_.push_back(
        register_module(layer_name(i, count),
                        MaskedLinear(MaskedLinearOptions(sizes[i], sizes[i + 1]).bias(options.bias()))));
  }
}

torch::Tensor MaskedDeepFFNImpl::forward(const torch::Tensor& input) {
  auto hidden = detail::flatten_batch(input, input_features_, kModel);
  for (std::size_t i = 0; i + 1 < layers_.size(); ++i) hidden = torch::relu(layers_[i]->forward(hidden));
  return layers_.back()->forward(hidden);
}

std::vector<MaskedLayerRef> MaskedDeepFFNImpl::masked_layers() {
  std::vector<MaskedLayerRef> refs;
  const auto count = static_cast<std::int64_t>(layers_.size());
  for (std::int64_t i = 0; i < count; ++i) {
    // layer i feeds hidden layer i (structure layer i); the last feeds the output (index count-1)
    refs.push_back({layer_name(static_cast<std::size_t>(i), layers_.size()), layers_[i], i - 1, i});
  }
  return refs;
}

graph::LayeredGraph MaskedDeepFFNImpl::generate_structure(bool include_input, bool include_output) {
  return chain_structure(masked_layers(), input_features_, include_input, include_output);
}

std::int64_t MaskedDeepFFNImpl::num_structure_layers() const {
  return static_cast<std::int64_t>(options.hidden_widths().size());
}

void MaskedDeepFFNImpl::pretty_print(std::ostream& stream) const {
  std::int64_t parameters = 0, active = 0, total = 0;
  for (const auto& layer : layers_) {
    parameters += layer->weight.numel() + (layer->bias.defined() ? layer->bias.numel() : 0);
    active += layer->active_weight_count();
    total += layer->total_weight_count();
  }
  stream << "structlab::nn::MaskedDeepFFN(input=" << input_features_ << ", hidden=[";
  const auto& widths = options.hidden_widths();
  for (std::size_t i = 0; i < widths.size(); ++i) stream << (i ? ", " : "") << widths[i];
  stream << "], outputs=" << options.num_outputs() << ", parameters=" << parameters
         << ", active_weights=" << active << "/" << total << ")";
}

}  // namespace structlab::nn
