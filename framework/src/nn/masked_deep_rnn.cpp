#include "structlab/nn/masked_deep_rnn.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nn/model_input.hpp"
#include "structlab/error.hpp"

namespace structlab::nn {
namespace {

void check_options(const MaskedDeepRNNOptions& options) {
  const auto& shape = options.input_shape();
  if (shape.size() != 2 || shape[0] <= 0 || shape[1] <= 0) {
    throw ModelError(
        fmt::format("rnn: the input shape must be [steps, features] with positive sizes, got [{}]; the "
                    "dataset must give sequences (e.g. idx with sequence: true, or the sequence "
                    "dataset)",
                    fmt::join(shape, ", ")));
  }
  detail::check_output_count(options.num_outputs(), "rnn");
  if (options.hidden_widths().empty())
    throw ModelError("rnn: hidden_widths must list at least one recurrent layer");
  for (std::size_t i = 0; i < options.hidden_widths().size(); ++i) {
    if (options.hidden_widths()[i] < 1) {
      throw ModelError(fmt::format("rnn: hidden_widths entry {} is {}; every width must be at least 1", i,
                                   options.hidden_widths()[i]));
    }
  }
}

std::string gate_suffix(const std::string& gate) { return gate.empty() ? "" : "_" + gate; }

}  // namespace

MaskedDeepRNNImpl::MaskedDeepRNNImpl(const MaskedDeepRNNOptions& options_) : options(options_) {
  check_options(options);
  std::int64_t features = options.input_shape()[1];
  for (std::size_t l = 0; l < options.hidden_widths().size(); ++l) {
    const std::int64_t hidden = options.hidden_widths()[l];
    layers_.push_back(register_module(
        "rnn_" + std::to_string(l),
        MaskedRecurrent(MaskedRecurrentOptions(features, hidden, options.cell()).bias(options.bias()))));
    features = hidden;
  }
  output_ = register_module(
      "output", MaskedLinear(MaskedLinearOptions(features, options.num_outputs()).bias(options.bias())));
}

torch::Tensor MaskedDeepRNNImpl::forward(const torch::Tensor& input) {
  const std::int64_t steps = options.input_shape()[0], features = options.input_shape()[1];
  torch::Tensor x =
      detail::flatten_batch(input, steps * features, "rnn").view({input.size(0), steps, features});
  for (auto& layer : layers_) x = layer->forward(x);
  return output_->forward(x.select(1, steps - 1));
}

std::vector<MaskedLayerRef> MaskedDeepRNNImpl::masked_layers() {
  std::vector<MaskedLayerRef> refs;
  const auto& gates = gate_names(options.cell());
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const auto& layer = layers_[l];
    const std::int64_t hidden = layer->options.hidden_size();
    const auto layer_index = static_cast<std::int64_t>(l);
    const std::string prefix = "rnn" + std::to_string(l);
    // one gate's rows of a [gates * hidden, ...] tensor (undefined stays undefined)
    auto rows_of = [hidden](const torch::Tensor& tensor, std::size_t gate) {
      return tensor.defined() ? tensor.narrow(0, static_cast<std::int64_t>(gate) * hidden, hidden) : tensor;
    };
    for (std::size_t g = 0; g < gates.size(); ++g) {
      refs.emplace_back(prefix + "_ih" + gate_suffix(gates[g]), rows_of(layer->weight_ih, g),
                        rows_of(layer->bias_ih, g), rows_of(layer->mask_ih(), g), layer_index - 1,
                        layer_index);
    }
    for (std::size_t g = 0; g < gates.size(); ++g) {
      refs.emplace_back(prefix + "_hh" + gate_suffix(gates[g]), rows_of(layer->weight_hh, g),
                        rows_of(layer->bias_hh, g), rows_of(layer->mask_hh(), g), layer_index, layer_index);
    }
  }
  refs.emplace_back("output", output_, static_cast<std::int64_t>(layers_.size()) - 1,
                    static_cast<std::int64_t>(layers_.size()));
  return refs;
}

graph::LayeredGraph MaskedDeepRNNImpl::generate_structure(bool include_input, bool include_output) {
  const std::int64_t input_features = options.input_shape()[1];
  std::int64_t next = include_input ? input_features : 0;
  // first vertex id of h_l(t-1) and of h_l(t) for every layer
  std::vector<std::int64_t> previous_step(layers_.size()), this_step(layers_.size());
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    previous_step[l] = next;
    next += layers_[l]->options.hidden_size();
    this_step[l] = next;
    next += layers_[l]->options.hidden_size();
  }
  const std::int64_t first_output = next;
  if (include_output) next += options.num_outputs();

  std::vector<graph::Edge> edges;
  // an edge (source_first + column) -> (target_first + row) for every true entry of a bool [rows, cols]
  // tensor
  auto add_edges = [&edges](const torch::Tensor& connected, std::int64_t source_first,
                            std::int64_t target_first) {
    const auto pairs = connected.to(torch::kCPU).nonzero().contiguous();
    const auto* p = pairs.data_ptr<std::int64_t>();
    for (std::int64_t k = 0; k < pairs.size(0); ++k)
      edges.push_back({source_first + p[2 * k + 1], target_first + p[2 * k]});
  };
  // a unit pair is connected when any gate's weight between them is active: [gates, hidden, in] -> [hidden,
  // in]
  auto any_gate = [this](const MaskedRecurrent& layer, const torch::Tensor& mask) {
    const std::int64_t gates = static_cast<std::int64_t>(gate_names(options.cell()).size());
    return mask.view({gates, layer->options.hidden_size(), mask.size(1)}).any(0);
  };
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const auto& layer = layers_[l];
    if (l > 0) {
      add_edges(any_gate(layer, layer->mask_ih()), this_step[l - 1], this_step[l]);
    } else if (include_input) {
      add_edges(any_gate(layer, layer->mask_ih()), 0, this_step[l]);
    }
    add_edges(any_gate(layer, layer->mask_hh()), previous_step[l], this_step[l]);
  }
  if (include_output) add_edges(output_->mask(), this_step.back(), first_output);
  return graph::LayeredGraph(next, edges);
}

std::int64_t MaskedDeepRNNImpl::num_structure_layers() const {
  return static_cast<std::int64_t>(layers_.size());
}

void MaskedDeepRNNImpl::pretty_print(std::ostream& stream) const {
  std::int64_t active = output_->active_weight_count(), total = output_->total_weight_count();
  for (const auto& layer : layers_) {
    active += layer->mask_ih().sum().item<std::int64_t>() + layer->mask_hh().sum().item<std::int64_t>();
    total += layer->mask_ih().numel() + layer->mask_hh().numel();
  }
  stream << "structlab::nn::MaskedDeepRNN(cell=" << to_string(options.cell()) << ", input=["
         << fmt::format("{}", fmt::join(options.input_shape(), ", ")) << "], hidden=["
         << fmt::format("{}", fmt::join(options.hidden_widths(), ", "))
         << "], outputs=" << options.num_outputs() << ", active_weights=" << active << "/" << total << ")";
}

}  // namespace structlab::nn
