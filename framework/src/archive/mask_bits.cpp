#include "archive/mask_bits.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstring>

#include "structlab/error.hpp"

namespace structlab::archive::detail {
namespace {

// Eight 0/1 bytes -> one byte, first byte in the most significant bit. The multiplication moves byte i's low
// bit to bit 63 - i of the product without carries (every partial product lands on a distinct bit), so the
// top byte is the packed value; this is what keeps packing a multi-megabyte mask cheap next to writing the
// weights.
std::uint8_t pack_eight(const std::uint8_t* bytes) {
  std::uint64_t word;
  std::memcpy(&word, bytes, sizeof word);
  if constexpr (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__) word = __builtin_bswap64(word);
  return static_cast<std::uint8_t>((word * 0x8040201008040201ULL) >> 56);
}

}  // namespace

torch::Tensor pack_mask_bits(const torch::Tensor& mask) {
  // a bool tensor already holds one 0/1 byte per entry: use its bytes as they are (converting a
  // multi-megabyte mask costs more than writing it)
  torch::Tensor bits = mask.detach().to(torch::kCPU);
  if (bits.scalar_type() != torch::kBool) bits = bits != 0;
  bits = bits.contiguous();
  const std::int64_t row_length = bits.dim() == 0 ? 1 : bits.size(-1);
  const std::int64_t rows = row_length == 0 ? 0 : bits.numel() / row_length;
  const std::int64_t packed_length = (row_length + 7) / 8;
  std::vector<std::int64_t> packed_shape(bits.sizes().begin(), bits.sizes().end());
  if (packed_shape.empty()) packed_shape.push_back(1);
  packed_shape.back() = packed_length;
  torch::Tensor packed = torch::zeros(packed_shape, torch::kUInt8);

  const auto* in = reinterpret_cast<const std::uint8_t*>(bits.data_ptr<bool>());
  std::uint8_t* out = packed.data_ptr<std::uint8_t>();
  for (std::int64_t row = 0; row < rows; ++row, in += row_length, out += packed_length) {
    std::int64_t full_bytes = row_length / 8;
    for (std::int64_t b = 0; b < full_bytes; ++b) out[b] = pack_eight(in + 8 * b);
    for (std::int64_t j = full_bytes * 8; j < row_length; ++j) {
      out[full_bytes] = static_cast<std::uint8_t>(out[full_bytes] | (in[j] << (7 - (j % 8))));
    }
  }
  return packed;
}

torch::Tensor unpack_mask_bits(const torch::Tensor& packed, const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> expected(shape);
  if (expected.empty()) expected.push_back(1);
  expected.back() = (expected.back() + 7) / 8;
  if (packed.sizes().vec() != expected) {
    throw ArchiveError(fmt::format("bit-packed mask of shape [{}] does not hold a mask of shape [{}]",
                                   fmt::join(packed.sizes(), ", "), fmt::join(shape, ", ")));
  }
  torch::Tensor mask = torch::empty(shape, torch::kBool);
  const std::int64_t row_length = shape.empty() ? 1 : shape.back();
  const std::int64_t rows = row_length == 0 ? 0 : mask.numel() / row_length;
  const std::int64_t packed_length = expected.back();
  torch::Tensor source = packed.contiguous();
  const std::uint8_t* in = source.data_ptr<std::uint8_t>();
  bool* out = mask.data_ptr<bool>();
  for (std::int64_t row = 0; row < rows; ++row, in += packed_length, out += row_length) {
    for (std::int64_t j = 0; j < row_length; ++j) out[j] = ((in[j / 8] >> (7 - (j % 8))) & 1) != 0;
  }
  return mask;
}

}  // namespace structlab::archive::detail
