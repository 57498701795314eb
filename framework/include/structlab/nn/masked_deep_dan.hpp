#pragma once
/// \file
/// MaskedDeepDAN: a deep directed acyclic network built on a LayeredGraph, one masked layer per pair of
/// connected structure layers.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "structlab/graph/layered_graph.hpp"
#include "structlab/nn/masked_linear.hpp"
#include "structlab/nn/masked_model.hpp"

namespace structlab::nn {

/// How a structure layer combines what its source layers send it.
enum class DanAggregate {
  sum_of_activations,  ///< h_l = sum over sources s of relu(W_sl h_s + b_sl) (the seed's)
  activation_of_sum,   ///< h_l = relu(sum over sources s of (W_sl h_s + b_sl))
};

/// Parses "sum_of_activations" or "activation_of_sum"; throws ConfigError naming the accepted values.
DanAggregate parse_dan_aggregate(const std::string& text);
/// "sum_of_activations" or "activation_of_sum".
const char* to_string(DanAggregate aggregate);

/// Options of a MaskedDeepDAN.
struct MaskedDeepDANOptions {
  /// A net for samples of shape \p input_shape (flattened) and \p num_outputs outputs.
  MaskedDeepDANOptions(std::vector<std::int64_t> input_shape, std::int64_t num_outputs)
      : input_shape_(std::move(input_shape)), num_outputs_(num_outputs) {}
  TORCH_ARG(std::vector<std::int64_t>, input_shape);  ///< one sample's shape, e.g. {1, 28, 28}
  TORCH_ARG(std::int64_t, num_outputs);               ///< classes or regression targets
  TORCH_ARG(DanAggregate,
            aggregate) = DanAggregate::sum_of_activations;  ///< how a layer combines its sources
  /// Vertices without outgoing edges below the last layer also feed the outputs (in the seed their
  /// computation is dead), through one masked layer "output_from_<s>" per structure layer s holding such
  /// sinks (no bias; mask true at the sinks' columns).
  TORCH_ARG(bool, sinks_to_output) = false;
  /// Normalise every structure layer's activations (torch LayerNorm over the layer's vertices).
  TORCH_ARG(bool, layer_norm) = false;
  /// Run the hidden layers in one fused CPU kernel (float32 on CPU, no layer_norm); otherwise, and as the
  /// fallback for other devices and dtypes, one torch op sequence per masked layer as the seed does.
  TORCH_ARG(bool, fused) = true;
};

/// The seed's MaskedDeepDAN.
///
/// Masked layers: "input" (dense, input -> structure layer 0); for each layer l >= 1 "main_<l>" from layer
/// l-1 (mask = the structure's edges between them) and "skip_<s>_<l>" for each earlier layer s with an
/// edge into l (mask = those edges); with sinks_to_output "output_from_<s>" (no bias, mask = the sinks'
/// columns) for each layer s below the last holding sinks; "output" (dense, last layer -> outputs). Rows and
/// columns follow the ascending vertex ids of a layer. Forward: h_0 = relu(input(x)); h_l = relu(main_l(h_{l-1}))
/// + sum_s relu(skip_s_l(h_s)); out = output(h_last) (+ sum_s output_from_s(h_s) with sinks_to_output).
///
/// The main and skip blocks live packed in three tensors, block after block in masked_layers() order, each
/// block row-major [rows, cols]: the parameters "hidden_weight" and "hidden_bias" and the bool buffer
/// "hidden_mask". The optimizer sees two tensors instead of two per block, and masked_layers() gives each block
/// as views into them (so its weight is not a leaf: differentiate through structlab::prune::gradients_of).
/// With options.fused, without layer_norm and on the CPU in float32, one fused kernel computes all blocks: each
/// block on the index lists of its active weights (rebuilt when the mask changes), or by BLAS on the masked block
/// when this thread's SparseKernels mode says so (off, or automatic for a large block above the crossover
/// density). Otherwise one torch op sequence per block runs, on any device and dtype.
class MaskedDeepDANImpl : public MaskedModel {
 public:
  /// Builds the net on \p structure. Throws GraphError for a graph without vertices or with a cycle
  /// (naming the cycle), ModelError for an empty or non-positive input shape or output count.
  MaskedDeepDANImpl(const graph::LayeredGraph& structure, const MaskedDeepDANOptions& options);
  ~MaskedDeepDANImpl() override;

  /// Logits [batch, num_outputs] for input [batch, ...input_shape] or [batch, features]; throws
  /// ModelError when the sample size does not match the input shape.
  torch::Tensor forward(const torch::Tensor& input) override;
  /// "input", then main_l and skip_s_l by target layer (main first, skips by ascending source), then
  /// output_from_s by ascending s (sinks_to_output), then "output". Each reads exactly one structure layer.
  std::vector<MaskedLayerRef> masked_layers() override;
  /// The structure the model was built from without the edges whose mask entries are false, with the
  /// same vertex ids. \p include_input puts the input features first (ids 0..F-1, structure ids shifted by
  /// F); \p include_output appends the output units after the structure's vertices.
  graph::LayeredGraph generate_structure(bool include_input, bool include_output) override;
  /// Number of layers of the structure.
  std::int64_t num_structure_layers() const override;
  /// Prints the layer count, masked layer count and the parameter and active weight counts.
  void pretty_print(std::ostream& stream) const override;
  /// Converts the parameters to \p dtype on \p device; the masks move to \p device and stay bool.
  void to(torch::Device device, torch::Dtype dtype, bool non_blocking = false) override;
  /// Converts the parameters to \p dtype; the masks stay bool.
  void to(torch::Dtype dtype, bool non_blocking = false) override;
  using torch::nn::Module::to;

  /// The options the net was built with.
  MaskedDeepDANOptions options;

 private:
  struct Layout;  // the structure's layout (src/nn/dan_plan.hpp) and the blocks' index lists
  bool can_fuse(const torch::Tensor& first_activations) const;
  torch::Tensor hidden_rows(const torch::Tensor& first_rows);
  void keep_mask_bool();

  std::int64_t input_features_ = 0;
  std::shared_ptr<Layout> layout_;
  MaskedLinear input_layer_{nullptr};
  torch::Tensor hidden_weight_, hidden_bias_, hidden_mask_;  // packed blocks; undefined without blocks
  std::vector<std::string> hidden_names_;                   // main_<l> / skip_<s>_<l>, plan order
  MaskedLinear output_layer_{nullptr};
  std::vector<MaskedLinear> sink_output_layers_;   // one per plan.sink_layers entry
  std::vector<torch::nn::LayerNorm> layer_norms_;  // one per structure layer when options.layer_norm
};

/// Module holder for MaskedDeepDANImpl.
TORCH_MODULE(MaskedDeepDAN);

}  // namespace structlab::nn
