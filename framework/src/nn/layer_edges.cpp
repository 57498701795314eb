#include "nn/layer_edges.hpp"

#include <algorithm>
#include <utility>

namespace structlab::nn::detail {
namespace {

/// The (row, column) pairs where \p mask [rows, columns] is true.
std::vector<std::pair<std::int64_t, std::int64_t>> true_entries(const torch::Tensor& mask) {
  const torch::Tensor where = mask.nonzero().contiguous();  // [count, 2], int64
  const auto at = where.accessor<std::int64_t, 2>();
  std::vector<std::pair<std::int64_t, std::int64_t>> entries;
  entries.reserve(static_cast<std::size_t>(where.size(0)));
  for (std::int64_t e = 0; e < where.size(0); ++e) entries.emplace_back(at[e][0], at[e][1]);
  return entries;
}

/// |weight| > threshold as a bool tensor, compared in the weight's dtype (as PyTorch compares with a number).
torch::Tensor above(const torch::Tensor& weight, double threshold) {
  torch::NoGradGuard no_grad;
  return weight.detach().to(torch::kCPU).abs() > threshold;
}

void sort_unique(std::vector<graph::Edge>& edges) {
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
}

}  // namespace

std::vector<graph::Edge> linear_edges(const torch::Tensor& weight, const UnitFeed& input,
                                      graph::VertexId first_out, double threshold) {
  const std::int64_t outputs = weight.size(0);
  const auto groups = static_cast<std::int64_t>(input.slots.size());
  // [out, slots, columns per slot] -> [out, slots]: a slot feeds unit j when any of its columns does
  const torch::Tensor mask = above(weight, threshold).reshape({outputs, groups, -1}).any(2);
  std::vector<graph::Edge> edges;
  for (const auto& [unit, slot] : true_entries(mask)) {
    for (graph::VertexId source : input.slots[static_cast<std::size_t>(slot)]) {
      edges.push_back({source, first_out + unit});
    }
  }
  sort_unique(edges);
  return edges;
}

std::vector<graph::Edge> convolution_edges(const torch::Tensor& weight, std::int64_t groups,
                                           const UnitFeed& input, graph::VertexId first_out,
                                           double threshold) {
  const std::int64_t outputs = weight.size(0);
  const std::int64_t inputs_per_group = weight.size(1);
  const std::int64_t outputs_per_group = outputs / groups;
  // [out, in / groups, kh, kw] -> [out, in / groups]: any weight of the kernel
  const torch::Tensor mask = above(weight, threshold).flatten(2).any(2);
  std::vector<graph::Edge> edges;
  for (const auto& [channel, place] : true_entries(mask)) {
    const std::int64_t slot = (channel / outputs_per_group) * inputs_per_group + place;
    for (graph::VertexId source : input.slots[static_cast<std::size_t>(slot)]) {
      edges.push_back({source, first_out + channel});
    }
  }
  sort_unique(edges);
  return edges;
}

}  // namespace structlab::nn::detail
