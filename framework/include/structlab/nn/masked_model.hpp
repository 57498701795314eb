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

/// One masked layer of a model and which structure layers it connects.
struct MaskedLayerRef {
  std::string name;           ///< stable name, e.g. "main_3" or "skip_0_3"; used as archive group name
  MaskedLinear layer;         ///< the layer itself (shared handle)
  std::int64_t source_layer;  ///< structure layer feeding it; kInputLayer (-1) for the input
  std::int64_t target_layer;  ///< structure layer it feeds; num_layers for the output
};

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
