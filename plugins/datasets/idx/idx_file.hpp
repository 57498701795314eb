#pragma once
/// \file
/// Reading IDX files (the MNIST file format), plain or gzip-compressed, with every size checked.
///
/// An IDX file is a 4-byte big-endian magic number (two zero bytes, a type code, the number of
/// dimensions), one 4-byte big-endian size per dimension, then the row-major payload.

#include <cstdint>
#include <filesystem>
#include <vector>

namespace structlab::datasets {

/// The IDX type code of unsigned bytes, the only element type MNIST-style datasets use.
inline constexpr std::uint8_t kIdxUnsignedByte = 0x08;

/// The magic number of an unsigned-byte IDX file with \p dimensions dimensions (2049 labels, 2051 images).
constexpr std::uint32_t idx_magic(int dimensions) {
  return (std::uint32_t{kIdxUnsignedByte} << 8) | static_cast<std::uint32_t>(dimensions);
}

/// The content of one unsigned-byte IDX file.
struct IdxArray {
  std::vector<std::int64_t> dims;     ///< sizes, outermost first, e.g. {60000, 28, 28}
  std::vector<std::uint8_t> payload;  ///< row-major elements, the product of dims of them
};

/// Throws DataError naming \p file when it cannot be opened for reading (permissions, not a file).
void require_readable(const std::filesystem::path& file);

/// Reads the whole of \p file, decompressing it when it is gzip-compressed (a plain file is read as is).
/// Throws DataError naming the file when it cannot be opened or its compressed stream is corrupt or cut
/// short.
std::vector<std::uint8_t> read_possibly_gzipped(const std::filesystem::path& file);

/// Decodes \p bytes, the content of \p file, as an unsigned-byte IDX array of \p dimensions dimensions.
/// Throws DataError naming the file for a header cut short, a wrong magic number (stating the expected
/// one), or a payload shorter (truncated) or longer than the header declares.
IdxArray parse_idx(const std::vector<std::uint8_t>& bytes, int dimensions, const std::filesystem::path& file);

/// Reads and decodes \p file like read_possibly_gzipped() then parse_idx(), but inflates no more than the
/// header declares (plus one byte to tell a longer file): a gzip bomb stops there. Throws DataError as
/// those do, and for a header declaring more than this machine's memory (saying how much it would need).
IdxArray read_idx(const std::filesystem::path& file, int dimensions);

}  // namespace structlab::datasets
