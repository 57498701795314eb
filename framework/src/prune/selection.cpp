#include "structlab/prune/selection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <tuple>

#include "prune/selection_rule.hpp"
#include "structlab/error.hpp"
#include "structlab/prune/unit_layout.hpp"

namespace structlab::prune {
namespace {

using plugin::PruningGranularity;
using plugin::SelectionScope;

std::string shape_text(c10::IntArrayRef shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

// Names in exclude_layers must exist: a misspelt name would otherwise silently protect nothing.
std::set<std::string> excluded_names(const std::vector<nn::MaskedLayerRef>& layers,
                                     const SelectionOptions& selection) {
  std::set<std::string> known;
  for (const auto& ref : layers) known.insert(ref.name);
  for (const auto& name : selection.exclude_layers) {
    if (known.count(name) == 0) {
      throw ConfigError(
          fmt::format("pruning.selection.exclude_layers: the model has no masked layer named '{}'; "
                      "it has: {}",
                      name, fmt::join(known, ", ")));
    }
  }
  return {selection.exclude_layers.begin(), selection.exclude_layers.end()};
}

std::vector<bool> excluded_layers(const std::vector<nn::MaskedLayerRef>& layers,
                                  const SelectionOptions& selection, std::int64_t num_structure_layers) {
  const std::set<std::string> names = excluded_names(layers, selection);
  std::vector<bool> excluded;
  for (const auto& ref : layers) {
    const bool is_output = ref.target_layer == num_structure_layers;
    excluded.push_back(names.count(ref.name) > 0 || (selection.exclude_output && is_output));
  }
  return excluded;
}

// Scores as CPU doubles, each checked against the shape its layer needs.
std::vector<torch::Tensor> checked_scores(const std::vector<nn::MaskedLayerRef>& layers,
                                          const std::vector<torch::Tensor>& scores,
                                          PruningGranularity granularity) {
  if (scores.size() != layers.size()) {
    throw ModelError(
        fmt::format("a pruning strategy returned {} score tensors for a model with {} masked layers",
                    scores.size(), layers.size()));
  }
  std::vector<torch::Tensor> checked;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::vector<std::int64_t> expected{layers[i].out_features()};
    if (granularity == PruningGranularity::weight) expected = layers[i].weight.sizes().vec();
    if (!scores[i].defined() || scores[i].sizes() != c10::IntArrayRef(expected)) {
      throw ModelError(fmt::format(
          "score tensor for masked layer '{}' has shape {}, expected {}", layers[i].name,
          scores[i].defined() ? shape_text(scores[i].sizes()) : "(undefined)", shape_text(expected)));
    }
    checked.push_back(scores[i].detach().to(torch::kCPU, torch::kDouble).contiguous());
  }
  return checked;
}

// A NaN has no place in an order; infinities do (+inf: pruned last, -inf: first).
void reject_nan(double score, const std::string& where, std::int64_t index) {
  if (std::isnan(score)) throw ModelError(fmt::format("score of entry {} of {} is NaN", index, where));
}

// n_m: one group per block of M consecutive weights of a row (the last block of a row may be shorter).
std::vector<RankingGroup> block_groups(const std::vector<nn::MaskedLayerRef>& layers,
                                       const std::vector<torch::Tensor>& masks,
                                       const std::vector<torch::Tensor>& scores, const std::vector<bool>& excluded,
                                       std::int64_t block) {
  std::vector<RankingGroup> groups;
  for (std::size_t position = 0; position < layers.size(); ++position) {
    if (excluded[position]) continue;
    const bool* mask = masks[position].data_ptr<bool>();
    const double* score = scores[position].data_ptr<double>();
    const std::int64_t rows = masks[position].size(0);
    // a row of a kernel-holding weight is all its entries in memory order
    const std::int64_t columns = rows == 0 ? 0 : masks[position].numel() / rows;
    for (std::int64_t row = 0; row < rows; ++row) {
      for (std::int64_t start = 0; start < columns; start += block) {
        RankingGroup group;
        group.total = std::min(block, columns - start);
        for (std::int64_t index = row * columns + start; index < row * columns + start + group.total; ++index) {
          if (!mask[index]) continue;
          reject_nan(score[index], "masked layer '" + layers[position].name + "'", index);
          group.candidates.push_back({score[index], static_cast<std::int64_t>(position), index});
        }
        if (!group.candidates.empty()) groups.push_back(std::move(group));
      }
    }
  }
  return groups;
}

// The mean of the active entries' scores along dim 1 of [groups, entries] views; +inf for a group without any
// (never chosen: a unit whose rows are all inactive in one layer is ranked by its other layers).
torch::Tensor mean_of_active(const torch::Tensor& scores, const torch::Tensor& mask) {
  const torch::Tensor count = mask.to(torch::kDouble).sum(/*dim=*/1);
  // inactive positions are ignored whatever they hold (a score of inf or NaN there must not leak in)
  const torch::Tensor mean =
      scores.masked_fill(mask.logical_not(), 0.0).sum(/*dim=*/1).div(count.clamp_min(1.0));
  return torch::where(count > 0, mean, torch::full_like(mean, std::numeric_limits<double>::infinity()))
      .contiguous();
}

// Weight or kernel granularity: one candidate per active entry of a prunable layer, its index row-major. An
// entry is a weight, or with \p kernels a (row, column) pair holding an active weight, scored by the mean of
// its active weights' scores.
std::vector<RankingGroup> entry_groups(const std::vector<nn::MaskedLayerRef>& layers,
                                       const std::vector<torch::Tensor>& masks,
                                       const std::vector<torch::Tensor>& scores,
                                       const std::vector<bool>& excluded, SelectionScope scope,
                                       bool kernels) {
  std::vector<RankingGroup> groups;
  if (scope != SelectionScope::per_layer) groups.emplace_back();
  for (std::size_t position = 0; position < layers.size(); ++position) {
    if (excluded[position]) continue;
    if (scope == SelectionScope::per_layer) groups.emplace_back();
    RankingGroup& group = groups.back();
    torch::Tensor active = masks[position];
    torch::Tensor score = scores[position];
    std::string what = "masked layer '" + layers[position].name + "'";
    if (kernels) {
      const std::int64_t pairs = layers[position].out_features() * layers[position].in_features();
      const torch::Tensor by_pair = masks[position].view({pairs, -1});
      active = by_pair.any(/*dim=*/1).contiguous();
      score = mean_of_active(scores[position].view(by_pair.sizes()), by_pair);
      what = "the kernels of " + what;
    }
    const bool* is_active = active.data_ptr<bool>();
    const double* value = score.data_ptr<double>();
    const std::int64_t entries = active.numel();
    group.total += entries;
    for (std::int64_t index = 0; index < entries; ++index) {
      if (!is_active[index]) continue;
      reject_nan(value[index], what, index);
      group.candidates.push_back({value[index], static_cast<std::int64_t>(position), index});
    }
  }
  return groups;
}

// Channel granularity: a row's score is the mean of its active entries' scores (then ranked as unit scores).
std::vector<torch::Tensor> row_scores(const std::vector<torch::Tensor>& masks,
                                      const std::vector<torch::Tensor>& scores) {
  std::vector<torch::Tensor> rows;
  for (std::size_t position = 0; position < masks.size(); ++position) {
    rows.push_back(mean_of_active(scores[position].flatten(1), masks[position].flatten(1)));
  }
  return rows;
}

// Unit granularity: one candidate per active unit of a hidden structure layer none of whose feeding layers is
// excluded; its score is the lowest of its rows' scores.
std::vector<RankingGroup> unit_groups(const std::vector<nn::MaskedLayerRef>& layers,
                                      const std::vector<StructureLayerUnits>& layout,
                                      const std::vector<torch::Tensor>& masks,
                                      const std::vector<torch::Tensor>& scores,
                                      const std::vector<bool>& excluded, SelectionScope scope) {
  std::vector<RankingGroup> groups;
  if (scope != SelectionScope::per_layer) groups.emplace_back();
  for (const StructureLayerUnits& units : layout) {
    // no layer feeds these units: they have no rows, so there is nothing to remove
    if (units.incoming.empty()) continue;
    const bool is_protected =
        std::any_of(units.incoming.begin(), units.incoming.end(), [&](std::size_t p) { return excluded[p]; });
    if (is_protected) continue;
    if (scope == SelectionScope::per_layer) groups.emplace_back();
    RankingGroup& group = groups.back();
    group.total += units.size;
    auto active = torch::zeros({units.size}, torch::kBool);
    auto score = torch::full({units.size}, std::numeric_limits<double>::infinity(), torch::kDouble);
    for (std::size_t position : units.incoming) {
      active.logical_or_(masks[position].flatten(1).any(/*dim=*/1));
      score = torch::minimum(score, scores[position]);
    }
    const bool* is_active = active.data_ptr<bool>();
    const double* unit_score = score.data_ptr<double>();
    for (std::int64_t row = 0; row < units.size; ++row) {
      if (!is_active[row]) continue;
      reject_nan(unit_score[row], fmt::format("the units of structure layer {}", units.layer), row);
      group.candidates.push_back({unit_score[row], units.layer, row});
    }
  }
  return groups;
}

std::vector<Candidate> choose(std::vector<RankingGroup> groups, SelectionScope scope,
                              const SelectionOptions& selection) {
  std::vector<Candidate> chosen;
  for (RankingGroup& group : groups) {
    const auto active = static_cast<std::int64_t>(group.candidates.size());
    std::vector<Candidate> lowest =
        scope == SelectionScope::below_zero
            ? below_zero(std::move(group.candidates))
            : lowest_scored(std::move(group.candidates), entries_to_prune(selection, active, group.total));
    chosen.insert(chosen.end(), lowest.begin(), lowest.end());
  }
  return chosen;
}

std::int64_t active_count(const torch::Tensor& mask) { return mask.sum().item<std::int64_t>(); }

}  // namespace

std::int64_t PruneReport::active_before() const {
  std::int64_t sum = 0;
  for (const auto& layer : layers) sum += layer.active_before;
  return sum;
}

std::int64_t PruneReport::active_after() const {
  std::int64_t sum = 0;
  for (const auto& layer : layers) sum += layer.active_after;
  return sum;
}

std::int64_t PruneReport::total() const {
  std::int64_t sum = 0;
  for (const auto& layer : layers) sum += layer.total;
  return sum;
}

double PruneReport::density() const {
  const std::int64_t all = total();
  return all == 0 ? 1.0 : static_cast<double>(active_after()) / static_cast<double>(all);
}

PruneReport apply_selection(nn::MaskedModel& model, const std::vector<torch::Tensor>& scores,
                            plugin::PruningGranularity granularity, plugin::SelectionScope scope,
                            const SelectionOptions& selection) {
  validate_selection(selection);
  std::vector<nn::MaskedLayerRef> layers = model.masked_layers();
  const std::vector<bool> excluded = excluded_layers(layers, selection, model.num_structure_layers());
  std::vector<torch::Tensor> checked = checked_scores(layers, scores, granularity);

  PruneReport report;
  std::vector<torch::Tensor> masks;
  for (std::size_t position = 0; position < layers.size(); ++position) {
    const auto& layer = layers[position];
    masks.push_back(layer.mask.to(torch::kCPU).clone().contiguous());
    report.layers.push_back({layer.name, layer.total_weight_count(), active_count(masks.back()),
                             0, static_cast<bool>(excluded[position])});
  }

  if (selection.rule == SelectionRule::n_m && granularity != PruningGranularity::weight) {
    throw ConfigError("pruning.selection.rule: n_m keeps N of every M consecutive weights, but this pruning "
                      "strategy scores whole units; use a strategy that scores weights");
  }
  if (selection.rule == SelectionRule::n_m && scope == SelectionScope::below_zero) {
    throw ConfigError("pruning.selection.rule: n_m needs a strategy that ranks weights; this one prunes by its "
                      "own threshold (scores below zero)");
  }
  if (granularity == PruningGranularity::unit && selection.granularity != MaskGranularity::weight) {
    throw ConfigError(
        fmt::format("pruning.selection.granularity: this pruning strategy scores whole units itself; "
                    "granularity {} is for strategies that score weights (leave it at weight)",
                    to_string(selection.granularity)));
  }
  if (granularity == PruningGranularity::weight && selection.granularity == MaskGranularity::channel) {
    checked = row_scores(masks, checked);
    granularity = PruningGranularity::unit;
  }
  if (granularity == PruningGranularity::weight && selection.granularity == MaskGranularity::kernel) {
    const auto kernel_candidates = entry_groups(layers, masks, checked, excluded, scope, /*kernels=*/true);
    for (const Candidate& kernel : choose(kernel_candidates, scope, selection)) {
      const torch::Tensor& mask = masks[static_cast<std::size_t>(kernel.group)];
      const std::int64_t length = mask.numel() / (mask.size(0) * mask.size(1));
      std::fill_n(mask.data_ptr<bool>() + kernel.index * length, length, false);
    }
  } else if (granularity == PruningGranularity::weight) {
    std::vector<RankingGroup> groups =
        selection.rule == SelectionRule::n_m
            ? block_groups(layers, masks, checked, excluded, selection.pattern_m)
            : entry_groups(layers, masks, checked, excluded, scope, /*kernels=*/false);
    for (const Candidate& weight : choose(std::move(groups), scope, selection)) {
      // masks are contiguous CPU copies; a tensor op per entry would be slow for large layers
      masks[static_cast<std::size_t>(weight.group)].data_ptr<bool>()[weight.index] = false;
    }
  } else {
    const std::vector<StructureLayerUnits> layout = hidden_unit_layout(layers, model.num_structure_layers());
    const std::vector<Candidate> units =
        choose(unit_groups(layers, layout, masks, checked, excluded, scope), scope, selection);
    for (const Candidate& unit : units) {
      const auto& structure_layer =
          *std::find_if(layout.begin(), layout.end(), [&](const auto& l) { return l.layer == unit.group; });
      for (std::size_t position : structure_layer.incoming) masks[position][unit.index].fill_(false);
      for (std::size_t position : structure_layer.outgoing)
        masks[position].select(1, unit.index).fill_(false);
    }
    report.units_pruned = static_cast<std::int64_t>(units.size());
  }

  for (std::size_t position = 0; position < layers.size(); ++position) {
    const auto& layer = layers[position];
    report.layers[position].active_after = active_count(masks[position]);
    if (report.layers[position].active_after == report.layers[position].active_before) continue;
    layer.set_mask(masks[position]);
    // zero the pruned weights too: the forward pass ignores them anyway, but magnitudes read later
    // (recompute_mask, archives, plots) should not see stale values
    layer.apply_mask();
  }
  return report;
}

std::vector<bool> excluded_layers(nn::MaskedModel& model, const SelectionOptions& selection) {
  return excluded_layers(model.masked_layers(), selection, model.num_structure_layers());
}

PruneReport prune_step(nn::MaskedModel& model, const plugin::PruningStrategy& strategy,
                       plugin::PruningContext& context, const SelectionOptions& selection) {
  validate_selection(selection);
  // check the layer names before scoring, which may take many backward passes
  excluded_layers(model.masked_layers(), selection, model.num_structure_layers());
  std::vector<torch::Tensor> scores;
  try {
    scores = strategy.score(model, context);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw PluginError(fmt::format("the pruning strategy failed while scoring the model: {}", e.what()));
  }
  return apply_selection(model, scores, strategy.granularity(), strategy.scope(), selection);
}

}  // namespace structlab::prune
