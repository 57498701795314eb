#pragma once
/// \file
/// The neuron and channel graph of a PyTorch model saved as TorchScript (`torch.jit.script(model).save(...)`
/// or `torch.jit.trace(model, example).save(...)`): what `structlab extract` writes and the `from_model`
/// generator plugin returns.
///
/// The model's Linear and Conv2d layers are found in execution order in its inlined forward graph, and the
/// graph has, in this order, a vertex per input unit (input feature, or input channel when a convolution
/// reads the input) and a vertex per output unit of each layer (out_features, or out_channels). Edges:
/// - Linear: input unit k -> output unit j where |weight[j, k]| > threshold;
/// - Conv2d: channel i -> channel o where any weight of the kernel weight[o, i, :, :] has |w| > threshold
///   (grouped convolutions connect each output channel to its group's input channels only);
/// - a Linear reading a flattened output of C channels (in_features = C * H * W): channel c owns the
///   columns c*H*W .. (c+1)*H*W - 1 and feeds unit j when any of those weights is above the threshold.
/// - a Conv2d reading features viewed as an image (x.view(B, C, H, W) after a Linear): channel c holds the
///   features c*H*W .. (c+1)*H*W - 1, and each of their units feeds through it.
/// Between layers the data flow is followed through elementwise operations, activations, pooling,
/// normalisation, dropout, flatten (to the last dimension: torch.flatten(x, 1)), view/reshape, means and
/// sums over all spatial dimensions (or some, with keepdim), additions (a skip connection: every tensor
/// added feeds the next layer) and concatenations on dim 1 (each part at its offset). Any other operation
/// on the data path is a ModelError naming it, as are a partial flatten (torch.flatten(x, 1, 2)) and a
/// reduction over one spatial dimension without keepdim (x.mean(2)). Biases are not part of the graph.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "structlab/graph/edge_list.hpp"
#include "structlab/graph/layered_graph.hpp"

namespace structlab::nn {

/// How extract_graph reads a model.
struct ExtractOptions {
  /// A weight is an edge when its magnitude is above this; 0 keeps every non-zero weight. Compared in the
  /// weight's own dtype (a float32 model compares with float32(threshold), as PyTorch does).
  double threshold = 0.0;
  /// One sample's shape without the batch dimension, e.g. {1, 28, 28}. When given, one forward pass on
  /// zeros of shape [1, ...] (in eval mode, without gradients) checks that the model accepts it first.
  std::vector<std::int64_t> input_shape;
};

/// The kinds of layer extract_graph turns into vertices.
enum class ExtractedLayerKind {
  linear,  ///< aten::linear: a vertex per output feature
  conv2d,  ///< aten::conv2d or aten::_convolution with a 4-D weight: a vertex per output channel
};

/// "linear" or "conv2d".
const char* to_string(ExtractedLayerKind kind);

/// One layer found in the model.
struct ExtractedLayer {
  /// Its module path in the model, e.g. "fc1" or "features.0"; a module called again is "name (call 2)".
  std::string name;
  ExtractedLayerKind kind = ExtractedLayerKind::linear;  ///< what the layer is
  std::int64_t in_units = 0;                             ///< in_features of a Linear, in_channels of a Conv2d
  std::int64_t out_units = 0;        ///< out_features or out_channels: the layer's vertices
  graph::VertexId first_vertex = 0;  ///< its vertices are first_vertex .. first_vertex + out_units - 1
  std::int64_t edges = 0;            ///< edges into its vertices
};

/// A model's graph and where its vertices come from.
struct ExtractedGraph {
  graph::LayeredGraph graph;       ///< directed: the input units first, then each layer's output units
  std::int64_t input_units = 0;    ///< vertices 0 .. input_units - 1 are the model's input units
  bool input_is_channels = false;  ///< true when the input units are channels (a convolution reads the input)
  std::vector<ExtractedLayer> layers;  ///< in execution order
};

/// Reads the TorchScript model at \p model and extracts its graph as the file comment says.
/// Throws DataError naming the path when the file is missing or is not a TorchScript module (e.g. a state
/// dict saved with torch.save); ConfigError for a negative or NaN threshold or a non-positive input_shape
/// entry; ModelError naming the model when it refuses the input shape (with PyTorch's reason), has no
/// Linear or Conv2d layer, or when an operation on the data path, a layer's weight or sizes cannot be
/// followed (naming the operation or layer and what was expected).
ExtractedGraph extract_model_graph(const std::filesystem::path& model, const ExtractOptions& options = {});

/// The graph alone of extract_model_graph(); throws as it does.
graph::LayeredGraph extract_graph(const std::filesystem::path& model, const ExtractOptions& options = {});

}  // namespace structlab::nn
