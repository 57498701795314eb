#pragma once
// Graph extraction: the edges into one Linear or Conv2d layer's units, from its weight and what reaches
// its input.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "nn/unit_feed.hpp"
#include "structlab/graph/edge_list.hpp"

namespace structlab::nn::detail {

/// The edges into a Linear's units first_out .. first_out + out_features - 1: from every vertex of the input
/// column k's slot to unit j where |weight[j, k]| > threshold. \p input is features with in_features slots,
/// or flattened channels whose count divides in_features (slot c owning the columns c*w .. (c+1)*w - 1,
/// w = in_features / count; an edge where any of them is above the threshold). The caller checks the sizes.
/// Sorted, each once.
std::vector<graph::Edge> linear_edges(const torch::Tensor& weight, const UnitFeed& input,
                                      graph::VertexId first_out, double threshold);

/// The edges into a Conv2d's channels first_out .. first_out + out_channels - 1: from every vertex of
/// input channel i's slot to channel o where any |weight[o, i', :, :]| > threshold, i' being i's place in
/// o's group (\p groups groups of in_channels / groups). \p input is channels with in_channels slots; the
/// caller checks the sizes. Sorted, each once.
std::vector<graph::Edge> convolution_edges(const torch::Tensor& weight, std::int64_t groups,
                                           const UnitFeed& input, graph::VertexId first_out,
                                           double threshold);

}  // namespace structlab::nn::detail
