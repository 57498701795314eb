#include "nn/dan_plan.hpp"

#include <algorithm>
#include <utility>

#include "structlab/error.hpp"

namespace structlab::nn::detail {

std::string block_name(const DanBlock& block) {
  if (block.target_layer - block.source_layer == 1) return "main_" + std::to_string(block.target_layer);
  return "skip_" + std::to_string(block.source_layer) + "_" + std::to_string(block.target_layer);
}

DanPlan plan_dan(const graph::LayeredGraph& structure, bool sinks_to_output) {
  const std::int64_t n = structure.num_vertices();
  if (n == 0) throw GraphError("MaskedDeepDAN: the structure has no vertices; a DAN needs at least one");
  std::int64_t num_layers = 0;
  try {
    num_layers = structure.num_layers();
  } catch (const GraphError& error) {
    throw GraphError(std::string("MaskedDeepDAN: ") + error.what());
  }
  const auto& layer_of = structure.layer_per_vertex();

  DanPlan plan;
  plan.num_vertices = n;
  // Counting sort by layer; scanning ids upwards keeps each layer in ascending id order.
  plan.layer_offset.assign(num_layers + 1, 0);
  for (std::int64_t v = 0; v < n; ++v) ++plan.layer_offset[layer_of[v] + 1];
  for (std::int64_t l = 0; l < num_layers; ++l) plan.layer_offset[l + 1] += plan.layer_offset[l];
  std::vector<std::int64_t> cursor(plan.layer_offset.begin(), plan.layer_offset.end() - 1);
  std::vector<std::int64_t> index_in_layer(n);
  plan.vertex_at.resize(n);
  for (std::int64_t v = 0; v < n; ++v) {
    const auto layer = layer_of[v];
    const auto position = cursor[layer]++;
    index_in_layer[v] = position - plan.layer_offset[layer];
    plan.vertex_at[position] = v;
  }

  // Skip connections: (target layer, source layer) pairs of edges spanning more than one layer.
  std::vector<std::pair<std::int64_t, std::int64_t>> skips;
  for (std::int64_t u = 0; u < n; ++u) {
    for (auto v : structure.out_neighbors(u)) {
      if (layer_of[v] - layer_of[u] > 1) skips.emplace_back(layer_of[v], layer_of[u]);
    }
  }
  std::sort(skips.begin(), skips.end());
  skips.erase(std::unique(skips.begin(), skips.end()), skips.end());

  plan.first_block.assign(num_layers + 1, 0);
  auto add_block = [&plan](std::int64_t source, std::int64_t target) {
    DanBlock block{
        source,           target, plan.layer_size(target), plan.layer_size(source), plan.weight_entries,
        plan.bias_entries};
    plan.weight_entries += block.rows * block.cols;
    plan.bias_entries += block.rows;
    plan.blocks.push_back(block);
  };
  std::size_t next_skip = 0;
  for (std::int64_t target = 1; target < num_layers; ++target) {
    plan.first_block[target] = static_cast<std::int64_t>(plan.blocks.size());
    add_block(target - 1, target);  // every vertex of layer l >= 1 has an edge from layer l-1
    for (; next_skip < skips.size() && skips[next_skip].first == target; ++next_skip) {
      add_block(skips[next_skip].second, target);
    }
  }
  plan.first_block[num_layers] = static_cast<std::int64_t>(plan.blocks.size());

  plan.edge_entries.reserve(structure.num_edges());
  for (std::int64_t u = 0; u < n; ++u) {
    for (auto v : structure.out_neighbors(u)) {
      const std::int64_t source = layer_of[u], target = layer_of[v];
      // the blocks of a target are the main one followed by the skips in ascending source order
      auto first = plan.blocks.begin() + plan.first_block[target];
      auto last = plan.blocks.begin() + plan.first_block[target + 1];
      auto block = target - source == 1
                       ? first
                       : std::lower_bound(first + 1, last, source, [](const DanBlock& b, std::int64_t s) {
                           return b.source_layer < s;
                         });
      plan.edge_entries.push_back(block->weight_offset + index_in_layer[v] * block->cols + index_in_layer[u]);
    }
  }

  if (sinks_to_output) {
    for (std::int64_t layer = 0; layer + 1 < num_layers; ++layer) {
      DanSinkLayer sinks{layer, {}};
      for (std::int64_t column = 0; column < plan.layer_size(layer); ++column) {
        if (structure.out_degree(plan.vertex_at[plan.layer_offset[layer] + column]) == 0) {
          sinks.columns.push_back(column);
        }
      }
      if (!sinks.columns.empty()) plan.sink_layers.push_back(std::move(sinks));
    }
  }
  return plan;
}

}  // namespace structlab::nn::detail
