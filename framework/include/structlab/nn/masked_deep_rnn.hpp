#pragma once
/// \file
/// MaskedDeepRNN: stacked masked recurrent layers (vanilla RNN, GRU or LSTM) and a masked output layer on the
/// last step's hidden state.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "structlab/graph/layered_graph.hpp"
#include "structlab/nn/masked_linear.hpp"
#include "structlab/nn/masked_model.hpp"
#include "structlab/nn/masked_recurrent.hpp"

namespace structlab::nn {

/// Options of a MaskedDeepRNN.
struct MaskedDeepRNNOptions {
  /// A net for sequences of shape \p input_shape ([steps, features]) with \p num_outputs outputs and one
  /// recurrent layer per entry of \p hidden_widths.
  MaskedDeepRNNOptions(std::vector<std::int64_t> input_shape, std::int64_t num_outputs,
                       std::vector<std::int64_t> hidden_widths)
      : input_shape_(std::move(input_shape)),
        num_outputs_(num_outputs),
        hidden_widths_(std::move(hidden_widths)) {}
  TORCH_ARG(std::vector<std::int64_t>, input_shape);  ///< [steps, features]
  TORCH_ARG(std::int64_t, num_outputs);               ///< classes or regression targets
  TORCH_ARG(std::vector<std::int64_t>,
            hidden_widths);  ///< hidden units of each recurrent layer, input side first
  TORCH_ARG(RecurrentCell, cell) = RecurrentCell::lstm;  ///< the cell of every layer
  TORCH_ARG(bool, bias) = true;                          ///< whether every layer has biases
};

/// The deepstruct MaskedDeepRNN: recurrent layers "rnn_0", "rnn_1", ... (each reading the previous one's
/// hidden states step by step), then a masked linear "output" layer on the last step's hidden state.
///
/// Structure layer l is recurrent layer l's hidden units. Each layer's masked weights are seen per gate, as
/// views of its weight rows: `rnn<l>_ih_<gate>` [hidden, input] (source: layer l - 1 or the input) and
/// `rnn<l>_hh_<gate>` [hidden, hidden] (source and target: layer l), gates r, z, n for gru and i, f, g, o for
/// lstm, no suffix for rnn. Removing a unit clears its rows in every gate and its columns in the
/// hidden-to-hidden and next layer's weights.
class MaskedDeepRNNImpl : public MaskedModel {
 public:
  /// Builds the net; throws ModelError for an input shape that is not [steps, features], no hidden layer, or
  /// a non-positive size (naming which).
  explicit MaskedDeepRNNImpl(const MaskedDeepRNNOptions& options);

  /// Outputs [batch, num_outputs] for input [batch, steps, features] (or [batch, steps * features]).
  torch::Tensor forward(const torch::Tensor& input) override;
  /// Per layer: the input-to-hidden gates, then the hidden-to-hidden gates; then "output".
  std::vector<MaskedLayerRef> masked_layers() override;
  /// The net unrolled once, a DAG: per recurrent layer two blocks of its units, the hidden state of the
  /// previous step (h_l(t-1), no incoming edges) and of this step (h_l(t)). An edge u -> v of h_(l-1)(t) (or
  /// the input) -> h_l(t) where any gate's input-to-hidden weight from u to v is active, of h_l(t-1) ->
  /// h_l(t) where any gate's hidden-to-hidden weight is. Vertices: the input features when \p include_input,
  /// then per layer h_l(t-1) and h_l(t), then the outputs (fed by the last h(t)) when \p include_output.
  graph::LayeredGraph generate_structure(bool include_input, bool include_output) override;
  /// Number of recurrent layers.
  std::int64_t num_structure_layers() const override;
  /// Prints the shape and the active weight count.
  void pretty_print(std::ostream& stream) const override;

  /// The options the net was built with.
  MaskedDeepRNNOptions options;

 private:
  std::vector<MaskedRecurrent> layers_;
  MaskedLinear output_{nullptr};
};

/// Module holder for MaskedDeepRNNImpl.
TORCH_MODULE(MaskedDeepRNN);

}  // namespace structlab::nn
