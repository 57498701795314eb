#pragma once
// Masks on disk: one bit per weight in NumPy's `packbits` layout, so h5py users get the mask back with
// `np.unpackbits(packed, axis=-1, count=shape[-1]).astype(bool)`.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace structlab::archive::detail {

/// Packs \p mask (any dtype; non-zero = active) along its last axis, 8 entries per byte, the first entry in
/// the most significant bit, each row's last byte padded with zero bits. Result: uint8 [..., ceil(last / 8)].
torch::Tensor pack_mask_bits(const torch::Tensor& mask);

/// Inverse of pack_mask_bits(): a bool tensor of \p shape from \p packed (uint8 [..., ceil(shape.back() /
/// 8)]). Throws ArchiveError when the two shapes do not fit together.
torch::Tensor unpack_mask_bits(const torch::Tensor& packed, const std::vector<std::int64_t>& shape);

}  // namespace structlab::archive::detail
