#pragma once
/// \file
/// MaskedRecurrent: a recurrent layer (vanilla RNN, GRU or LSTM) whose input-to-hidden and hidden-to-hidden
/// weights are multiplied by boolean masks in every forward pass.

#include <torch/torch.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "structlab/nn/masked_linear.hpp"

namespace structlab::nn {

/// The recurrent cell of a MaskedRecurrent layer.
enum class RecurrentCell {
  rnn,   ///< h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
  gru,   ///< gates r, z, n, as torch::nn::GRU
  lstm,  ///< gates i, f, g, o, as torch::nn::LSTM
};

/// "rnn", "gru" or "lstm".
const char* to_string(RecurrentCell cell);
/// The cell named \p name; throws ConfigError naming the accepted names otherwise.
RecurrentCell parse_recurrent_cell(const std::string& name);
/// The names of the cell's gates in the order its weight rows hold them: {""} for rnn, {"r", "z", "n"} for
/// gru,
/// {"i", "f", "g", "o"} for lstm.
const std::vector<std::string>& gate_names(RecurrentCell cell);

/// Options of a MaskedRecurrent layer.
struct MaskedRecurrentOptions {
  /// A layer reading \p input_size features per step into \p hidden_size units with \p cell.
  MaskedRecurrentOptions(std::int64_t input_size, std::int64_t hidden_size, RecurrentCell cell)
      : input_size_(input_size), hidden_size_(hidden_size), cell_(cell) {}
  TORCH_ARG(std::int64_t, input_size);   ///< features per step
  TORCH_ARG(std::int64_t, hidden_size);  ///< hidden units
  TORCH_ARG(RecurrentCell, cell);        ///< rnn, gru or lstm
  TORCH_ARG(bool, bias) = true;          ///< whether b_ih and b_hh exist
};

/// A recurrent layer as torch's RNN, GRU or LSTM lays it out: weight_ih [gates * hidden, input], weight_hh
/// [gates * hidden, hidden], bias_ih and bias_hh [gates * hidden] (gate blocks one after another), plus bool
/// buffers mask_ih and mask_hh shaped like the weights, all true at start. forward runs the sequence with
/// weight ⊙ mask, so masked weights get zero gradient and have no effect. Initial values as torch's:
/// uniform in ±1/sqrt(hidden), from this thread's initialisation generator.
class MaskedRecurrentImpl : public torch::nn::Cloneable<MaskedRecurrentImpl> {
 public:
  /// A layer from options; throws ModelError when a size is not positive.
  explicit MaskedRecurrentImpl(const MaskedRecurrentOptions& options);
  /// (Re)initialises weights and biases as torch does and sets the masks to all true.
  void reset() override;
  /// Converts weights and biases to \p dtype on \p device; the masks move to \p device and stay bool.
  void to(torch::Device device, torch::Dtype dtype, bool non_blocking = false) override;
  /// Converts weights and biases to \p dtype; the masks stay bool.
  void to(torch::Dtype dtype, bool non_blocking = false) override;
  using torch::nn::Module::to;
  /// Prints "structlab::nn::MaskedRecurrent(cell=.., in=.., hidden=.., active=..)".
  void pretty_print(std::ostream& stream) const override;

  /// The hidden states of every step, [batch, steps, hidden], for \p input [batch, steps, input_size],
  /// starting from zero states; throws ModelError naming the shapes for any other input.
  torch::Tensor forward(const torch::Tensor& input);
  /// Rows per gate (the hidden size) times gates.
  std::int64_t gate_rows() const;

  /// The input-to-hidden mask (bool, shaped like weight_ih).
  const torch::Tensor& mask_ih() const { return mask_ih_; }
  /// The hidden-to-hidden mask (bool, shaped like weight_hh).
  const torch::Tensor& mask_hh() const { return mask_hh_; }

  torch::Tensor weight_ih;         ///< [gates * hidden, input]
  torch::Tensor weight_hh;         ///< [gates * hidden, hidden]
  torch::Tensor bias_ih;           ///< [gates * hidden]; undefined without bias
  torch::Tensor bias_hh;           ///< [gates * hidden]; undefined without bias
  MaskedRecurrentOptions options;  ///< the options the layer was built with

 private:
  void keep_masks_bool();

  torch::Tensor mask_ih_;
  torch::Tensor mask_hh_;
  mutable detail::MaskMultiplierCache multiplier_ih_;
  mutable detail::MaskMultiplierCache multiplier_hh_;
};

/// Module holder for MaskedRecurrentImpl.
TORCH_MODULE(MaskedRecurrent);

}  // namespace structlab::nn
