#pragma once
/// \file
/// Selection: turn a strategy's scores into cleared mask bits, following a `pruning.selection` spec.
///
/// Rules (amount = SelectionOptions::amount), counted over the prunable entries (weights; kernels for
/// `granularity: kernel`; units for unit-scoring strategies and `granularity: channel`) of the layers not
/// excluded:
///   fraction  prune round(amount * active prunable entries), amount in [0, 1];
///   count     prune amount entries (a whole number), or every active one when fewer remain;
///   density   prune until round(amount * all prunable entries) stay active, amount in [0, 1]; nothing
///             when the density is already at or below the target.
/// SelectionScope::per_layer applies the rule to each layer (each hidden structure layer for units) on
/// its own; SelectionScope::below_zero prunes every active prunable entry scoring below zero and ignores
/// rule and amount. round() is to nearest, so amount 0.2 of 100 weights is exactly 20.
///
/// The lowest scores go first; ties go to the earlier layer (masked_layers() order, or the lower structure
/// layer for units), then to the lower row-major index. Pruned weights are also set to zero, so that a
/// later recompute_mask() or an archive sees them as gone.
///
/// Unit granularity: a unit's score is the lowest of its rows' scores over the layers feeding it. Removing
/// a unit clears its row in every layer feeding it and its column in every layer it feeds, excluded layers
/// included (a removed unit has no output; otherwise its bias would still reach the next layer). A unit is
/// prunable only when no layer feeding it is excluded; output units are never removed (the task fixes them).
///
/// For a strategy that scores weights, SelectionOptions::granularity groups them first: `kernel` ranks each
/// (row, column) pair of a layer (a Conv2d's kh x kw kernel, a single weight of a matrix) by the mean of its
/// active entries' scores and clears it whole; `channel` scores each row (an output channel or neuron) by the
/// mean of its active entries' scores and removes units as above. The mean puts groups of different sizes (a
/// 5x5 kernel, a single weight; a conv row of 25 entries, a linear row of 400) on one scale; within a layer
/// of unpruned groups it orders them as the sum (for magnitude scores, the L1 norm) does.

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "structlab/nn/masked_model.hpp"
#include "structlab/plugin/pruner.hpp"
#include "structlab/prune/options.hpp"

namespace structlab::prune {

/// What one pruning step did to one masked layer.
struct LayerPruneReport {
  std::string name;                ///< masked layer name
  std::int64_t total = 0;          ///< weight entries
  std::int64_t active_before = 0;  ///< active weights before the step
  std::int64_t active_after = 0;   ///< active weights after the step
  bool excluded = false;           ///< whether the selection protected the layer

  /// Weights this step removed from the layer.
  std::int64_t pruned() const { return active_before - active_after; }
};

/// What one pruning step did to a model.
struct PruneReport {
  std::vector<LayerPruneReport> layers;  ///< in masked_layers() order
  std::int64_t units_pruned = 0;         ///< whole units removed (unit granularity only)

  /// Active weights over all layers before the step.
  std::int64_t active_before() const;
  /// Active weights over all layers after the step.
  std::int64_t active_after() const;
  /// Weight entries over all layers.
  std::int64_t total() const;
  /// Weights removed by the step.
  std::int64_t pruned() const { return active_before() - active_after(); }
  /// active_after() / total() over all layers (1 for a model without weights).
  double density() const;
};

/// Checks \p selection without a model: a known rule and an amount that fits it. Throws ConfigError
/// naming the `pruning.selection` key.
void validate_selection(const SelectionOptions& selection);

/// Applies \p selection to \p scores (one tensor per masked layer of \p model, shaped as
/// PruningStrategy::score() says) and clears the chosen mask bits. Throws ConfigError for a bad
/// selection or an exclude_layers name the model does not have (listing the names it has), ModelError
/// for a wrong number of score tensors, a wrong shape (naming layer and both shapes), a NaN score, or a
/// model whose layers disagree on a structure layer's width (unit granularity).
PruneReport apply_selection(nn::MaskedModel& model, const std::vector<torch::Tensor>& scores,
                            plugin::PruningGranularity granularity, plugin::SelectionScope scope,
                            const SelectionOptions& selection);

/// Which masked layers of \p model \p selection protects (masked_layers() order): those named in exclude_layers,
/// and the output layer when exclude_output. Throws ConfigError for a name the model does not have.
std::vector<bool> excluded_layers(nn::MaskedModel& model, const SelectionOptions& selection);

/// One pruning step: checks \p selection, scores \p model with \p strategy and applies the selection.
/// Throws as apply_selection() does; an exception from the strategy that is not a structlab::Error
/// becomes a PluginError.
PruneReport prune_step(nn::MaskedModel& model, const plugin::PruningStrategy& strategy,
                       plugin::PruningContext& context, const SelectionOptions& selection);

}  // namespace structlab::prune
