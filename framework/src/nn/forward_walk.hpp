#pragma once
// Graph extraction: the walk over a TorchScript model's inlined forward graph that finds its Linear and
// Conv2d layers in execution order, follows the data flow between them and lists the edges.

#include <torch/script.h>

#include <cstdint>
#include <string>
#include <vector>

#include "structlab/graph/edge_list.hpp"
#include "structlab/nn/extract_graph.hpp"

namespace structlab::nn::detail {

/// What walk_forward_graph found.
struct ForwardWalk {
  std::int64_t input_units = 0;        ///< vertices 0 .. input_units - 1 (0 when no layer read the input)
  bool input_is_channels = false;      ///< true when a convolution read the input first
  std::vector<ExtractedLayer> layers;  ///< in execution order, with the edges into each
  std::vector<graph::Edge> edges;      ///< every edge once, sorted
  std::int64_t num_vertices = 0;       ///< input units plus every layer's output units
};

/// Walks \p graph, the inlined forward graph of \p module (inputs: the module, then one input tensor), with
/// the rules of structlab/nn/extract_graph.hpp; \p threshold as ExtractOptions::threshold. \p model names the
/// model in messages (its path). Throws ModelError naming the model and the operation or layer when an
/// operation on the data path is not one it follows, a layer's weight is not a module parameter, a layer's
/// input size does not match what reaches it, or a layer runs inside a loop or a conditional.
ForwardWalk walk_forward_graph(const torch::jit::Module& module, const torch::jit::Graph& graph,
                               double threshold, const std::string& model);

}  // namespace structlab::nn::detail
