#pragma once
/// \file
/// Dead units: hidden vertices that pruning left without any active incoming or outgoing weight (channels,
/// for convolutional layers: a channel with no active kernel entry in or out).

#include <cstdint>
#include <vector>

#include "structlab/nn/masked_model.hpp"

namespace structlab::prune {

/// Dead units of one hidden structure layer.
struct LayerDeadUnits {
  std::int64_t layer = 0;            ///< structure layer index
  std::int64_t units = 0;            ///< units in the layer
  std::int64_t without_inputs = 0;   ///< units with no active incoming weight
  std::int64_t without_outputs = 0;  ///< units with no active outgoing weight
  std::int64_t dead = 0;             ///< units with no inputs or no outputs (each counted once)
};

/// Dead units of a whole model, per hidden structure layer.
struct DeadUnitReport {
  std::vector<LayerDeadUnits> layers;  ///< ascending structure layer

  /// Hidden units over all layers.
  std::int64_t units() const;
  /// Units without inputs over all layers.
  std::int64_t without_inputs() const;
  /// Units without outputs over all layers.
  std::int64_t without_outputs() const;
  /// Dead units over all layers.
  std::int64_t dead() const;
};

/// Counts, from the masks alone, the hidden units of \p model left without inputs or outputs.
/// Only direct connections count: a unit fed solely by dead units is not itself reported. Input features
/// and output units are not hidden and never counted. Throws ModelError as hidden_unit_layout() does.
DeadUnitReport count_dead_units(nn::MaskedModel& model);

}  // namespace structlab::prune
