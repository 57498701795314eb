#include "structlab/nn/masked_recurrent.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "structlab/error.hpp"
#include "structlab/nn/init_generator.hpp"

namespace structlab::nn {
namespace {

std::int64_t gate_count(RecurrentCell cell) { return static_cast<std::int64_t>(gate_names(cell).size()); }

// weight ⊙ mask through the cache (the weight itself while every entry is active)
torch::Tensor masked(const torch::Tensor& weight, const torch::Tensor& mask,
                     detail::MaskMultiplierCache& cache) {
  const torch::Tensor multiplier = cache.get(mask, weight);
  return multiplier.defined() ? weight * multiplier : weight;
}

}  // namespace

const char* to_string(RecurrentCell cell) {
  switch (cell) {
    case RecurrentCell::rnn:
      return "rnn";
    case RecurrentCell::gru:
      return "gru";
    case RecurrentCell::lstm:
      return "lstm";
  }
  return "?";
}

RecurrentCell parse_recurrent_cell(const std::string& name) {
  for (RecurrentCell cell : {RecurrentCell::rnn, RecurrentCell::gru, RecurrentCell::lstm}) {
    if (name == to_string(cell)) return cell;
  }
  throw ConfigError(fmt::format("unknown recurrent cell '{}'; expected rnn, gru or lstm", name));
}

const std::vector<std::string>& gate_names(RecurrentCell cell) {
  static const std::vector<std::string> rnn{""}, gru{"r", "z", "n"}, lstm{"i", "f", "g", "o"};
  switch (cell) {
    case RecurrentCell::gru:
      return gru;
    case RecurrentCell::lstm:
      return lstm;
    case RecurrentCell::rnn:
      break;
  }
  return rnn;
}

MaskedRecurrentImpl::MaskedRecurrentImpl(const MaskedRecurrentOptions& options_) : options(options_) {
  if (options.input_size() <= 0 || options.hidden_size() <= 0) {
    throw ModelError(
        fmt::format("MaskedRecurrent: input_size and hidden_size must be positive; got {} and {}",
                    options.input_size(), options.hidden_size()));
  }
  reset();
}

std::int64_t MaskedRecurrentImpl::gate_rows() const {
  return gate_count(options.cell()) * options.hidden_size();
}

void MaskedRecurrentImpl::reset() {
  const std::int64_t rows = gate_rows();
  if (named_parameters(/*recurse=*/false).find("weight_ih") == nullptr) {
    weight_ih = register_parameter("weight_ih", torch::empty({rows, options.input_size()}));
    weight_hh = register_parameter("weight_hh", torch::empty({rows, options.hidden_size()}));
    bias_ih = options.bias() ? register_parameter("bias_ih", torch::empty({rows}))
                             : register_parameter("bias_ih", torch::Tensor(), /*requires_grad=*/false);
    bias_hh = options.bias() ? register_parameter("bias_hh", torch::empty({rows}))
                             : register_parameter("bias_hh", torch::Tensor(), /*requires_grad=*/false);
    mask_ih_ = register_buffer("mask_ih", torch::ones({rows, options.input_size()}, torch::kBool));
    mask_hh_ = register_buffer("mask_hh", torch::ones({rows, options.hidden_size()}, torch::kBool));
  }
  torch::NoGradGuard no_grad;
  // torch's RNN, GRU and LSTM: every weight and bias uniform in ±1/sqrt(hidden_size)
  const auto generator = init_generator();
  const double bound = 1.0 / std::sqrt(static_cast<double>(options.hidden_size()));
  for (torch::Tensor* tensor : {&weight_ih, &weight_hh, &bias_ih, &bias_hh}) {
    if (tensor->defined()) tensor->uniform_(-bound, bound, generator);
  }
  mask_ih_.fill_(true);
  mask_hh_.fill_(true);
}

void MaskedRecurrentImpl::to(torch::Device device, torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(device, dtype, non_blocking);
  keep_masks_bool();
}

void MaskedRecurrentImpl::to(torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(dtype, non_blocking);
  keep_masks_bool();
}

void MaskedRecurrentImpl::keep_masks_bool() {
  // Module::to converts every buffer; the masks hold 0/1, so converting them back is exact
  for (torch::Tensor* mask : {&mask_ih_, &mask_hh_}) {
    if (mask->scalar_type() != torch::kBool) mask->set_data(mask->to(torch::kBool));
  }
}

void MaskedRecurrentImpl::pretty_print(std::ostream& stream) const {
  stream << "structlab::nn::MaskedRecurrent(cell=" << to_string(options.cell())
         << ", in=" << options.input_size() << ", hidden=" << options.hidden_size()
         << ", active=" << (mask_ih_.sum().item<std::int64_t>() + mask_hh_.sum().item<std::int64_t>()) << "/"
         << (mask_ih_.numel() + mask_hh_.numel()) << ")";
}

torch::Tensor MaskedRecurrentImpl::forward(const torch::Tensor& input) {
  if (input.dim() != 3 || input.size(2) != options.input_size() || input.size(1) == 0) {
    throw ModelError(fmt::format("MaskedRecurrent: input of shape [{}] given, expected [batch, steps, {}]",
                                 fmt::join(input.sizes(), ", "), options.input_size()));
  }
  const std::int64_t batch = input.size(0), steps = input.size(1), hidden = options.hidden_size();
  const torch::Tensor w_hh = masked(weight_hh, mask_hh_, multiplier_hh_);
  // the input's share of every step's gates at once: [batch, steps, gates * hidden]
  const torch::Tensor input_gates =
      torch::nn::functional::linear(input, masked(weight_ih, mask_ih_, multiplier_ih_), bias_ih);
  torch::Tensor h = torch::zeros({batch, hidden}, input.options());
  torch::Tensor c = torch::zeros({batch, hidden}, input.options());
  std::vector<torch::Tensor> states;
  states.reserve(static_cast<std::size_t>(steps));
  for (std::int64_t t = 0; t < steps; ++t) {
    const torch::Tensor from_input = input_gates.select(1, t);
    const torch::Tensor from_hidden = torch::nn::functional::linear(h, w_hh, bias_hh);
    switch (options.cell()) {
      case RecurrentCell::rnn:
        h = torch::tanh(from_input + from_hidden);
        break;
      case RecurrentCell::gru: {
        const auto in = from_input.chunk(3, 1);
        const auto hid = from_hidden.chunk(3, 1);
        const torch::Tensor reset = torch::sigmoid(in[0] + hid[0]);
        const torch::Tensor update = torch::sigmoid(in[1] + hid[1]);
        const torch::Tensor candidate = torch::tanh(in[2] + reset * hid[2]);
        h = candidate + update * (h - candidate);  // (1 - z) n + z h
        break;
      }
      case RecurrentCell::lstm: {
        const auto gates = (from_input + from_hidden).chunk(4, 1);
        c = torch::sigmoid(gates[1]) * c + torch::sigmoid(gates[0]) * torch::tanh(gates[2]);
        h = torch::sigmoid(gates[3]) * torch::tanh(c);
        break;
      }
    }
    states.push_back(h);
  }
  return torch::stack(states, 1);
}

}  // namespace structlab::nn
