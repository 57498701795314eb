#pragma once
// Masked layers whose tensors are views into a packed parameter (a DAN's blocks in hidden_weight): finding the
// parameter, and a view's place in anything laid out like it (its gradient, its optimizer state).

#include <torch/torch.h>

#include <string>

namespace structlab::nn::detail {

/// The tensor \p tensor is a view into, or \p tensor itself when it is not a view.
torch::Tensor owner_of(const torch::Tensor& tensor);

/// \p view's entries within \p like_owner, a contiguous tensor shaped like view's owner (the owner's gradient or
/// optimizer state); shares \p like_owner's memory. Throws ModelError naming \p what when the owner is not
/// contiguous, since then its layout and \p like_owner's differ.
torch::Tensor place_of(const torch::Tensor& view, const torch::Tensor& like_owner, const std::string& what);

}  // namespace structlab::nn::detail
