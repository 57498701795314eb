#pragma once
// DanPlan: how a MaskedDeepDAN lays out a LayeredGraph: vertex positions, masked blocks and their masks.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "structlab/graph/layered_graph.hpp"

namespace structlab::nn::detail {

/// One masked layer between structure layers: weight [rows = target size, cols = source size].
struct DanBlock {
  std::int64_t source_layer = 0;   ///< structure layer read
  std::int64_t target_layer = 0;   ///< structure layer written
  std::int64_t rows = 0;           ///< size of the target layer
  std::int64_t cols = 0;           ///< size of the source layer
  std::int64_t weight_offset = 0;  ///< first entry in the packed weight / mask
  std::int64_t bias_offset = 0;    ///< first entry in the packed bias
};

/// With sinks_to_output: an earlier structure layer holding sinks, read by its own masked output layer.
struct DanSinkLayer {
  std::int64_t layer = 0;             ///< structure layer (below the last)
  std::vector<std::int64_t> columns;  ///< the sinks' indices within the layer, ascending
};

/// The layout of a DAN. Vertices get "positions" 0..N-1, layer by layer, ascending id within a layer, so
/// every layer is a contiguous range of positions.
struct DanPlan {
  std::int64_t num_vertices = 0;           ///< vertices of the structure
  std::vector<std::int64_t> layer_offset;  ///< first position of each layer; L+1 entries (last = N)
  std::vector<graph::VertexId> vertex_at;  ///< position -> vertex id
  std::vector<DanBlock> blocks;            ///< by target layer, main (l-1 -> l) first, then skips by source
  std::vector<std::int64_t> first_block;  ///< blocks targeting layer l are [first_block[l], first_block[l+1])
  std::int64_t weight_entries = 0;        ///< total weight entries over the blocks
  std::int64_t bias_entries = 0;          ///< total bias entries over the blocks
  std::vector<std::int64_t> edge_entries;  ///< packed mask entries of the structure's edges
  std::vector<DanSinkLayer> sink_layers;   ///< with sinks_to_output: layers below the last with sinks

  /// Number of structure layers.
  std::int64_t num_layers() const { return static_cast<std::int64_t>(layer_offset.size()) - 1; }
  /// Size of layer \p layer.
  std::int64_t layer_size(std::int64_t layer) const { return layer_offset[layer + 1] - layer_offset[layer]; }
};

/// The plan of \p structure; the output reads the last layer, plus (when \p sinks_to_output) the sinks of
/// earlier layers, one sink layer entry per layer. Throws GraphError for an empty or cyclic structure.
DanPlan plan_dan(const graph::LayeredGraph& structure, bool sinks_to_output);

/// "main_<l>" or "skip_<s>_<l>".
std::string block_name(const DanBlock& block);

}  // namespace structlab::nn::detail
