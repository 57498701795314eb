#pragma once
/// \file
/// Which masked layers hold the incoming and outgoing weights of each structure layer's units.
///
/// A masked layer maps its source structure layer (columns) to its target structure layer (rows), so
/// row r of every layer targeting structure layer t is unit r of t, and column c of every layer whose
/// source is t is that same unit's outgoing connection. Unit pruning and dead-unit counting rest on this.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "structlab/nn/masked_model.hpp"

namespace structlab::prune {

/// The units of one hidden structure layer and the masked layers touching them.
struct StructureLayerUnits {
  std::int64_t layer = 0;             ///< structure layer index, 0..num_structure_layers()-1
  std::int64_t size = 0;              ///< number of units (rows of its incoming layers)
  std::vector<std::size_t> incoming;  ///< positions in masked_layers() of layers whose rows are these units
  std::vector<std::size_t>
      outgoing;  ///< positions in masked_layers() of layers whose columns are these units
};

/// The hidden structure layers (0..\p num_structure_layers - 1) touched by \p layers, ascending; the input
/// (kInputLayer) and the output (\p num_structure_layers) are not hidden and not listed.
/// Throws ModelError naming the masked layer when a source or target layer is out of range, or when two
/// masked layers disagree on a structure layer's width.
std::vector<StructureLayerUnits> hidden_unit_layout(const std::vector<nn::MaskedLayerRef>& layers,
                                                    std::int64_t num_structure_layers);

}  // namespace structlab::prune
