#pragma once
/// \file
/// MaskedDeepFFN: a feed-forward net of masked layers, input -> hidden widths -> outputs, ReLU between.

#include <torch/torch.h>

#include <cstdint>
#include <ostream>
#include <vector>

#include "structlab/graph/layered_graph.hpp"
#include "structlab/nn/masked_linear.hpp"
#include "structlab/nn/masked_model.hpp"

namespace structlab::nn {

/// Options of a MaskedDeepFFN.
struct MaskedDeepFFNOptions {
  /// A net for samples of shape \p input_shape (flattened), \p num_outputs outputs and one hidden layer per
  /// entry of \p hidden_widths (none: a single masked layer from the input to the outputs).
  MaskedDeepFFNOptions(std::vector<std::int64_t> input_shape, std::int64_t num_outputs,
                       std::vector<std::int64_t> hidden_widths)
      : input_shape_(std::move(input_shape)),
        num_outputs_(num_outputs),
        hidden_widths_(std::move(hidden_widths)) {}
  TORCH_ARG(std::vector<std::int64_t>, input_shape);    ///< one sample's shape, e.g. {1, 28, 28}
  TORCH_ARG(std::int64_t, num_outputs);                 ///< classes or regression targets
  TORCH_ARG(std::vector<std::int64_t>, hidden_widths);  ///< widths of the hidden layers, input side first
  TORCH_ARG(bool, bias) = true;                         ///< whether every layer has a bias
};

/// The seed's MaskedDeepFFN: masked layers "input" (input -> hidden 0), "main_i" (hidden i-1 -> hidden i)
/// and "output" (last hidden -> outputs), with ReLU after every hidden layer. Structure layer i is
/// hidden layer i.
class MaskedDeepFFNImpl : public MaskedModel {
 public:
  /// Builds the net; throws ModelError for an empty input shape, a non-positive input dimension,
  /// output count or hidden width (naming which).
  explicit MaskedDeepFFNImpl(const MaskedDeepFFNOptions& options);

  /// Logits [batch, num_outputs] for input [batch, ...input_shape] or [batch, features]; throws
  /// ModelError when the sample size does not match the input shape.
  torch::Tensor forward(const torch::Tensor& input) override;
  /// "input", "main_1", ..., "output" in forward order.
  std::vector<MaskedLayerRef> masked_layers() override;
  /// The true mask entries as a graph. Vertices are numbered layer by layer: the input features first
  /// when \p include_input, then hidden layer 0, 1, ..., then the outputs when \p include_output.
  graph::LayeredGraph generate_structure(bool include_input, bool include_output) override;
  /// Number of hidden layers.
  std::int64_t num_structure_layers() const override;
  /// Prints the shape and the parameter and active weight counts.
  void pretty_print(std::ostream& stream) const override;

  /// The options the net was built with.
  MaskedDeepFFNOptions options;

 private:
  std::int64_t input_features_ = 0;
  std::vector<MaskedLinear> layers_;  // forward order, the last one is "output"
};

/// Module holder for MaskedDeepFFNImpl.
TORCH_MODULE(MaskedDeepFFN);

}  // namespace structlab::nn
