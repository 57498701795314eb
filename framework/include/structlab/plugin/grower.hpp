#pragma once
/// \file
/// Growth criterion plugins, for dynamic sparse training (`pruning.schedule.kind: dynamic`): after the drop
/// step removes the lowest-scoring active weights of a layer, the same number of inactive positions with the
/// highest growth scores become active (at weight zero, with fresh optimizer state). `random` grows at random
/// positions (SET, Mocanu et al. 2018); `gradient` where the loss gradient is largest (RigL, Evci et al. 2020).

#include <torch/torch.h>

#include <vector>

#include "structlab/nn/masked_model.hpp"

namespace structlab::plugin {

/// What a growth criterion may use while it scores. Each method computes on demand.
class GrowthContext {
 public:
  virtual ~GrowthContext() = default;
  /// The run's own CPU generator (never torch's process-wide one), for random scores.
  virtual at::Generator& generator() = 0;
  /// ∂loss/∂(weight ⊙ mask) on the current training batch for every masked layer (masked_layers() order,
  /// shaped like its weight): the gradient the layer would have at every position were it active, inactive
  /// ones included. Computed once per update step, only when asked for.
  virtual const std::vector<torch::Tensor>& dense_gradients() = 0;
};

/// A growth criterion; constructed with its validated Params.
class GrowthCriterion {
 public:
  virtual ~GrowthCriterion() = default;
  /// One score tensor per masked layer in masked_layers() order (shaped like its weight, any floating dtype,
  /// on any device). Higher scores grow first; only inactive positions are considered.
  virtual std::vector<torch::Tensor> score(nn::MaskedModel& model, GrowthContext& context) const = 0;
};

}  // namespace structlab::plugin
