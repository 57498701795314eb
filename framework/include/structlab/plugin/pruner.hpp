#pragma once
/// \file
/// Pruning strategy plugins: score active weights; the framework selects and masks the lowest scores.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "structlab/nn/masked_model.hpp"

namespace structlab::plugin {

/// What a pruning strategy scores.
enum class PruningGranularity {
  weight,  ///< one score per weight
  unit,    ///< one score per vertex (row of a masked layer): whole units are removed
};

/// How the framework turns a strategy's scores into the entries it prunes.
enum class SelectionScope {
  global,      ///< one ranking across all prunable layers: the selection rule applies to them together
  per_layer,   ///< a ranking per layer: the selection rule applies to each layer on its own
  below_zero,  ///< every prunable entry scoring below zero goes; the rule's amount is not used
};

/// Access to training data for strategies that need gradients or curvature (OBD, Taylor), and to the shape of
/// the network's input for data-free ones (SynFlow).
class PruningContext {
 public:
  virtual ~PruningContext() = default;
  /// Seed for any randomness of the strategy.
  virtual std::uint64_t seed() const = 0;
  /// Number of training batches available to loss().
  virtual std::int64_t num_batches() const = 0;
  /// The loss of \p model on training batch \p index (graph attached, ready for backward).
  virtual torch::Tensor loss(nn::MaskedModel& model, std::int64_t index) = 0;
  /// The shape of one input sample, without the batch dimension (e.g. {1, 28, 28}); empty when unknown.
  /// Added in plugin API version 4.
  virtual std::vector<std::int64_t> input_shape() const = 0;
};

/// A pruning strategy; constructed with its validated Params.
class PruningStrategy {
 public:
  virtual ~PruningStrategy() = default;
  /// Whether scores are per weight or per unit.
  virtual PruningGranularity granularity() const = 0;
  /// Whether the selection ranks all layers together, each layer apart, or cuts at score zero.
  virtual SelectionScope scope() const = 0;
  /// One score tensor per masked layer in masked_layers() order: shaped like its weight for weight
  /// granularity, [out] for unit granularity. Lower scores are pruned first; inactive positions are ignored.
  virtual std::vector<torch::Tensor> score(nn::MaskedModel& model, PruningContext& context) const = 0;
  /// How many rounds the `at_init` schedule prunes in (at least 1): round k of R prunes to density
  /// d_0 * (target / d_0)^(k/R), re-scoring the masked network each round. 1 unless the strategy asks for more
  /// (SynFlow: its `rounds` parameter, 100 by default). Added in plugin API version 4.
  virtual std::int64_t rounds_at_init() const { return 1; }
};

}  // namespace structlab::plugin
