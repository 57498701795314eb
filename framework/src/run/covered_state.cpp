#include "run/covered_state.hpp"

#include <map>

#include "nn/packed_view.hpp"

namespace structlab::run::detail {

std::set<std::string> names_covered_by_views(const torch::OrderedDict<std::string, torch::Tensor>& named,
                                             const std::vector<nn::MaskedLayerRef>& layers) {
  std::map<const void*, std::int64_t> entries_in_views;  // by the viewed tensor's TensorImpl
  for (const auto& ref : layers) {
    for (const torch::Tensor* part : {&ref.weight, &ref.bias, &ref.mask}) {
      if (part->defined() && part->is_view()) {
        entries_in_views[nn::detail::owner_of(*part).unsafeGetTensorImpl()] += part->numel();
      }
    }
  }
  std::set<std::string> covered;
  for (const auto& item : named) {
    if (!item.value().defined()) continue;
    const auto found = entries_in_views.find(item.value().unsafeGetTensorImpl());
    if (found != entries_in_views.end() && found->second == item.value().numel()) covered.insert(item.key());
  }
  return covered;
}

}  // namespace structlab::run::detail
