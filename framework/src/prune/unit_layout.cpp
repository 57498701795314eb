#include "structlab/prune/unit_layout.hpp"

#include <fmt/format.h>

#include <map>

#include "structlab/error.hpp"

namespace structlab::prune {
namespace {

// Records that \p layer's units are \p width wide as seen by masked layer \p ref; a disagreement means the
// rows/columns of two masked layers cannot be the same units.
void record_width(std::map<std::int64_t, StructureLayerUnits>& by_layer, std::int64_t layer,
                  std::int64_t width, const nn::MaskedLayerRef& ref,
                  std::map<std::int64_t, std::string>& width_source) {
  auto [it, inserted] = by_layer.try_emplace(layer);
  if (inserted) {
    it->second.layer = layer;
    it->second.size = width;
    width_source[layer] = ref.name;
    return;
  }
  if (it->second.size != width) {
    throw ModelError(
        fmt::format("masked layers '{}' and '{}' disagree on the width of structure layer {}: {} vs {} units",
                    width_source[layer], ref.name, layer, it->second.size, width));
  }
}

}  // namespace

std::vector<StructureLayerUnits> hidden_unit_layout(const std::vector<nn::MaskedLayerRef>& layers,
                                                    std::int64_t num_structure_layers) {
  std::map<std::int64_t, StructureLayerUnits> by_layer;
  std::map<std::int64_t, std::string> width_source;
  for (std::size_t position = 0; position < layers.size(); ++position) {
    const nn::MaskedLayerRef& ref = layers[position];
    if (ref.target_layer < 0 || ref.target_layer > num_structure_layers) {
      throw ModelError(fmt::format("masked layer '{}' targets structure layer {}, outside 0..{}", ref.name,
                                   ref.target_layer, num_structure_layers));
    }
    if (ref.source_layer < nn::kInputLayer || ref.source_layer >= num_structure_layers) {
      throw ModelError(fmt::format("masked layer '{}' reads structure layer {}, outside {}..{}", ref.name,
                                   ref.source_layer, nn::kInputLayer, num_structure_layers - 1));
    }
    if (ref.target_layer < num_structure_layers) {
      record_width(by_layer, ref.target_layer, ref.out_features(), ref, width_source);
      by_layer[ref.target_layer].incoming.push_back(position);
    }
    if (ref.source_layer != nn::kInputLayer) {
      record_width(by_layer, ref.source_layer, ref.in_features(), ref, width_source);
      by_layer[ref.source_layer].outgoing.push_back(position);
    }
  }
  std::vector<StructureLayerUnits> layout;
  layout.reserve(by_layer.size());
  for (auto& entry : by_layer) layout.push_back(std::move(entry.second));
  return layout;
}

}  // namespace structlab::prune
