#pragma once
// Which of a model's parameters and buffers its masked layers hold in full as views (a DAN's packed
// hidden_weight, hidden_bias and hidden_mask): the archive stores those through the layers, not twice.

#include <torch/torch.h>

#include <set>
#include <string>
#include <vector>

#include "structlab/nn/masked_model.hpp"

namespace structlab::run::detail {

/// The names in \p named of the tensors whose every entry lies in a view held by one of \p layers (weight,
/// bias or mask). Views of one tensor are taken not to overlap, as a model's masked layers do not.
std::set<std::string> names_covered_by_views(const torch::OrderedDict<std::string, torch::Tensor>& named,
                                             const std::vector<nn::MaskedLayerRef>& layers);

}  // namespace structlab::run::detail
