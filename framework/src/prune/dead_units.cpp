#include "structlab/prune/dead_units.hpp"

#include "structlab/prune/unit_layout.hpp"

namespace structlab::prune {
namespace {

template <typename Member>
std::int64_t sum_of(const std::vector<LayerDeadUnits>& layers, Member member) {
  std::int64_t sum = 0;
  for (const auto& layer : layers) sum += layer.*member;
  return sum;
}

}  // namespace

std::int64_t DeadUnitReport::units() const { return sum_of(layers, &LayerDeadUnits::units); }
std::int64_t DeadUnitReport::without_inputs() const {
  return sum_of(layers, &LayerDeadUnits::without_inputs);
}
std::int64_t DeadUnitReport::without_outputs() const {
  return sum_of(layers, &LayerDeadUnits::without_outputs);
}
std::int64_t DeadUnitReport::dead() const { return sum_of(layers, &LayerDeadUnits::dead); }

DeadUnitReport count_dead_units(nn::MaskedModel& model) {
  const std::vector<nn::MaskedLayerRef> layers = model.masked_layers();
  DeadUnitReport report;
  for (const StructureLayerUnits& units : hidden_unit_layout(layers, model.num_structure_layers())) {
    auto has_input = torch::zeros({units.size}, torch::kBool);
    for (std::size_t position : units.incoming) {
      has_input.logical_or_(layers[position].connections().to(torch::kCPU).any(/*dim=*/1));
    }
    auto has_output = torch::zeros({units.size}, torch::kBool);
    for (std::size_t position : units.outgoing) {
      has_output.logical_or_(layers[position].connections().to(torch::kCPU).any(/*dim=*/0));
    }
    LayerDeadUnits counts;
    counts.layer = units.layer;
    counts.units = units.size;
    counts.without_inputs = units.size - has_input.sum().item<std::int64_t>();
    counts.without_outputs = units.size - has_output.sum().item<std::int64_t>();
    counts.dead = units.size - has_input.logical_and(has_output).sum().item<std::int64_t>();
    report.layers.push_back(counts);
  }
  return report;
}

}  // namespace structlab::prune
