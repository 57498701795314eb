#pragma once
// Graph extraction: which of the network's units a tensor of the forward graph depends on, slot by slot,
// and how operations between layers (flatten, add, cat) change that.

#include <cstdint>
#include <string>
#include <vector>

#include "structlab/graph/edge_list.hpp"

namespace structlab::nn::detail {

/// Which dimension of a tensor holds the slots of a UnitFeed.
enum class FeedLayout {
  features,   ///< the last dimension of a [batch, features] tensor: a slot per feature
  channels,   ///< dimension 1 of a [batch, channels, ...] tensor: a slot per channel
  flattened,  ///< a flattened [batch, channels, ...] tensor: a slot per channel, each spread over as many
              ///< consecutive columns as the tensor had positions per channel
};

/// "features", "channels" or "flattened channels".
const char* to_string(FeedLayout layout);

/// The units a tensor depends on.
struct UnitFeed {
  FeedLayout layout = FeedLayout::features;  ///< how the slots lie in the tensor
  /// True for the model's input (or a view of it) before a layer has read it and so fixed its units;
  /// slots is empty then.
  bool model_input = false;
  std::vector<std::vector<graph::VertexId>> slots;  ///< per slot, the vertices it depends on, ascending

  /// \p count slots in \p layout, slot i depending on vertex first + i alone.
  static UnitFeed fresh(FeedLayout layout, graph::VertexId first, std::int64_t count);
};

/// \p feed after flatten(x, 1) or a view/reshape to [batch, -1]: channels become flattened channels, the
/// other layouts stay.
UnitFeed flattened(UnitFeed feed);

/// \p feed after a view/reshape to [batch, C, 1, ...]: features become channels, the other layouts stay.
UnitFeed unflattened(UnitFeed feed);

/// \p feed's features after a view/reshape to [batch, channels, ...]: channel c depends on what features
/// c*n .. (c+1)*n - 1 depend on (n = features / channels), as a contiguous view lays them out. \p feed must
/// be features whose count \p channels divides.
UnitFeed grouped(const UnitFeed& feed, std::int64_t channels);

/// The elementwise combination of \p a and \p b (x + y, x * y, ...): slot i depends on what slot i of
/// either depends on. Both need the same layout and slot count, except that features combine with channels
/// of the same count into channels (a [batch, C] tensor viewed as [batch, C, 1, 1]) and a single slot
/// broadcasts over all. Throws ModelError starting with \p where (the model and the operation) and naming
/// both otherwise. Neither may be a pending model_input.
UnitFeed combined(const UnitFeed& a, const UnitFeed& b, const std::string& where);

/// \p parts one after the other, as cat on dim 1 places them. All must be features or all channels;
/// throws ModelError starting with \p where otherwise (flattened channels have no known width to place
/// them by). None may be a pending model_input.
UnitFeed concatenated(const std::vector<UnitFeed>& parts, const std::string& where);

/// "12 features", "6 channels", "6 flattened channels", "the model input" or "the flattened model input".
std::string describe(const UnitFeed& feed);

}  // namespace structlab::nn::detail
