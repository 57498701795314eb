#include "nn/packed_view.hpp"

#include <fmt/format.h>

#include "structlab/error.hpp"

namespace structlab::nn::detail {

torch::Tensor owner_of(const torch::Tensor& tensor) {
  return tensor.is_view() ? torch::Tensor(tensor._base()) : tensor;
}

torch::Tensor place_of(const torch::Tensor& view, const torch::Tensor& like_owner, const std::string& what) {
  const torch::Tensor owner = owner_of(view);
  if (!owner.is_contiguous()) {
    throw ModelError(fmt::format("{}: its weight is a view into a non-contiguous tensor", what));
  }
  return like_owner.as_strided(view.sizes(), view.strides(),
                               like_owner.storage_offset() + view.storage_offset() - owner.storage_offset());
}

}  // namespace structlab::nn::detail
