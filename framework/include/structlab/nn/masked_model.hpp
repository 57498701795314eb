#pragma once
/// \file
/// MaskedModel: what every model kind builds and what pruners, the trainer and the archive work on.

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "structlab/graph/layered_graph.hpp"
#include "structlab/nn/masked_linear.hpp"

namespace structlab::nn {

/// Structure layer index used for the network input.
constexpr std::int64_t kInputLayer = -1;

/// One masked weight tensor of a model, as pruners, selection, dead-unit counts, the archive and
/// generate_structure see it: the model's own tensors (shared, not copies) and where they sit in the
/// structure, whatever kind of layer holds them.
///
/// A ref of a DAN's hidden block holds views into the model's packed tensors: take refs again with
/// masked_layers() after the model's to() or load(), which give the packed tensors new memory.
///
/// The weight is [out, in, k...]. Rows map to units: row r of `weight` computes unit r of structure layer
/// `target_layer` (output r for the output layer); column c reads unit c of `source_layer` (input feature c
/// for kInputLayer). A weight with more than two dimensions holds a kernel per (row, column) pair: a Conv2d's
/// [out channels, in channels, kh, kw], where units are channels; unit c of the source is connected to unit r
/// of the target while any entry of their kernel is active (connections()). Change the mask only in place
/// (set_mask, or in-place tensor operations on `mask`), so the layer sees the change.
struct MaskedLayerRef {
  std::string name;           ///< stable name, e.g. "main_3" or "skip_0_3"; used as archive group name
  /// The weight parameter [out, in, k...], or a view into a packed parameter (a DAN's hidden blocks):
  /// differentiate with respect to it through structlab::prune::gradients_of, which handles both.
  torch::Tensor weight;
  torch::Tensor bias;         ///< the bias parameter [out] (or a view into one); undefined when the layer has none
  torch::Tensor mask;         ///< the bool mask buffer shaped like the weight (or a view into one)
  std::int64_t source_layer;  ///< structure layer feeding it; kInputLayer (-1) for the input
  std::int64_t target_layer;  ///< structure layer it feeds; num_layers for the output

  /// The view of a layer's tensors; throws ModelError when \p weight has fewer than two dimensions or \p mask
  /// is not bool or not shaped like \p weight.
  MaskedLayerRef(std::string name, torch::Tensor weight, torch::Tensor bias, torch::Tensor mask,
                 std::int64_t source_layer, std::int64_t target_layer);
  /// The view of a MaskedLinear layer.
  MaskedLayerRef(std::string name, const MaskedLinear& layer, std::int64_t source_layer, std::int64_t target_layer);

  /// Copies \p new_mask (any dtype; nonzero means active) into the mask in place; throws ModelError naming the
  /// layer and both shapes when the shape differs.
  void set_mask(const torch::Tensor& new_mask) const;
  /// Makes the mask hard: weight <- weight * mask.
  void apply_mask() const;
  /// Sets mask <- |weight| >= theta.
  void recompute_mask(double theta) const;
  /// The gradient backward() left for the weight: its own grad(), or for a view into a packed parameter its
  /// place in that parameter's grad(); undefined when there is none yet.
  torch::Tensor weight_grad() const;
  /// Number of true mask entries.
  std::int64_t active_weight_count() const;
  /// Number of weight entries.
  std::int64_t total_weight_count() const { return weight.numel(); }
  /// Rows of the weight: units of the target layer this matrix computes.
  std::int64_t out_features() const { return weight.size(0); }
  /// Columns of the weight: units of the source layer it reads.
  std::int64_t in_features() const { return weight.size(1); }
  /// Weight entries per (row, column) pair: 1 for a matrix, kh * kw for a Conv2d kernel.
  std::int64_t kernel_numel() const;
  /// The shape fan-in and fan-out are read from (the Erdős–Rényi and ERK density distributions): the
  /// weight's, or, for a reshaped view of a whole parameter (the cnn's first classifier layer, [out,
  /// channels, pixels] of an [out, features] matrix), that parameter's. A view of a part of a parameter (a
  /// DAN block, an RNN gate) keeps its own shape.
  std::vector<std::int64_t> fan_shape() const;
  /// Which unit pairs are connected, as a bool [out, in] tensor on the mask's device: the mask itself for a
  /// matrix, otherwise true where any entry of the (row, column) kernel is active.
  torch::Tensor connections() const;
};

/// The structure of a chain of masked layers, where layers[i] computes structure layer i from layer i - 1
/// (layer 0 from the input, the last one the output): a vertex per unit, an edge wherever connections() is
/// true. \p input_units is the width of the input (features, or channels). \p include_input /
/// \p include_output add the input and output units as vertices (inputs first, outputs last).
graph::LayeredGraph chain_structure(const std::vector<MaskedLayerRef>& layers, std::int64_t input_units,
                                    bool include_input, bool include_output);

/// A torch module whose weights live in masked layers.
///
/// Subclasses implement forward, masked_layers and generate_structure; the counting and masking helpers
/// work on masked_layers() and so serve every model kind.
class MaskedModel : public torch::nn::Module {
 public:
  ~MaskedModel() override = default;

  /// Output logits (classification) or predictions (regression) for a batch.
  virtual torch::Tensor forward(const torch::Tensor& input) = 0;
  /// Every masked layer in a fixed order (the forward order), with names and structure layers.
  virtual std::vector<MaskedLayerRef> masked_layers() = 0;
  /// The structure the current masks describe. \p include_input / \p include_output add the input
  /// features / output units as vertices (inputs first, outputs last).
  virtual graph::LayeredGraph generate_structure(bool include_input, bool include_output) = 0;
  /// Number of structure layers the model was built for (the output's target_layer index).
  virtual std::int64_t num_structure_layers() const = 0;

  /// weight <- weight * mask in every masked layer.
  void apply_mask();
  /// mask <- |weight| >= theta in every masked layer.
  void recompute_mask(double theta);
  /// Active (unmasked) weights over all masked layers.
  std::int64_t active_weight_count();
  /// All weight entries over all masked layers.
  std::int64_t total_weight_count();
  /// Trainable parameter count (weights counted whole, plus biases and other parameters).
  std::int64_t parameter_count();
  /// parameter_count() minus the masked-out weights: the parameters that can affect the output.
  std::int64_t active_parameter_count();
};

}  // namespace structlab::nn
