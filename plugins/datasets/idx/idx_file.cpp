#include "idx_file.hpp"

#include <zlib.h>

#include <limits>
#include <memory>
#include <string>

#include "structlab/error.hpp"

namespace structlab::datasets {
namespace {

std::uint32_t read_big_endian_u32(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         std::uint32_t{bytes[3]};
}

std::string describe_magic(std::uint32_t magic) {
  return std::to_string(magic) + " (an unsigned-byte IDX file with " + std::to_string(magic & 0xffu) +
         " dimensions)";
}

// zlib's message for the last error on `gz`, without the "path: " prefix zlib puts in front of it.
std::string gzip_error(gzFile gz, const std::filesystem::path& file, int& code) {
  std::string message = gzerror(gz, &code);
  const std::string prefix = file.string() + ": ";
  return message.compare(0, prefix.size(), prefix) == 0 ? message.substr(prefix.size()) : message;
}

}  // namespace

std::vector<std::uint8_t> read_possibly_gzipped(const std::filesystem::path& file) {
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(file, ignored)) {
    throw DataError(file.string() + ": cannot read: no such file");
  }
  // gzread passes a file without the gzip signature through unchanged, so one reader serves both kinds
  std::unique_ptr<gzFile_s, decltype(&gzclose)> gz(gzopen(file.c_str(), "rb"), &gzclose);
  if (!gz) throw DataError(file.string() + ": cannot open for reading");
  gzbuffer(gz.get(), 1 << 18);

  std::vector<std::uint8_t> bytes;
  constexpr unsigned kChunk = 1u << 20;
  for (;;) {
    std::size_t used = bytes.size();
    bytes.resize(used + kChunk);
    int got = gzread(gz.get(), bytes.data() + used, kChunk);
    if (got < 0) {
      int code = Z_OK;
      throw DataError(file.string() + ": corrupt gzip data: " + gzip_error(gz.get(), file, code));
    }
    bytes.resize(used + static_cast<std::size_t>(got));
    if (got == 0) break;
  }
  // a gzip stream cut short ends without a read error but leaves Z_BUF_ERROR behind
  int code = Z_OK;
  const std::string message = gzip_error(gz.get(), file, code);
  if (code != Z_OK) throw DataError(file.string() + ": truncated or corrupt gzip data: " + message);
  return bytes;
}

IdxArray parse_idx(const std::vector<std::uint8_t>& bytes, int dimensions,
                   const std::filesystem::path& file) {
  const std::size_t header_size = 4 * (1 + static_cast<std::size_t>(dimensions));
  if (bytes.size() < 4) {
    throw DataError(file.string() + ": truncated: " + std::to_string(bytes.size()) +
                    " bytes, too short for an IDX magic number");
  }
  const std::uint32_t magic = read_big_endian_u32(bytes.data());
  const std::uint32_t expected_magic = idx_magic(dimensions);
  if (magic != expected_magic) {
    throw DataError(file.string() + ": wrong magic number " + std::to_string(magic) + ", expected " +
                    describe_magic(expected_magic) + "; not an IDX " + (dimensions == 1 ? "label" : "image") +
                    " file");
  }
  if (bytes.size() < header_size) {
    throw DataError(file.string() + ": truncated header: " + std::to_string(bytes.size()) +
                    " bytes, expected " + std::to_string(header_size) + " for " + std::to_string(dimensions) +
                    " dimensions");
  }

  IdxArray array;
  constexpr std::uint64_t kUnbounded = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t payload_size = 1;
  for (int d = 0; d < dimensions; ++d) {
    std::uint32_t size = read_big_endian_u32(bytes.data() + 4 * (1 + d));
    array.dims.push_back(static_cast<std::int64_t>(size));
    // a corrupt header can declare more than 2^64 bytes: saturate, the size check below rejects it anyway
    payload_size = (size != 0 && payload_size > kUnbounded / size) ? kUnbounded : payload_size * size;
  }
  const std::uint64_t expected_size =
      payload_size > kUnbounded - header_size ? kUnbounded : header_size + payload_size;
  std::string declared = std::to_string(array.dims[0]);
  for (int d = 1; d < dimensions; ++d) declared += "x" + std::to_string(array.dims[d]);
  if (bytes.size() < expected_size) {
    throw DataError(file.string() + ": truncated: header declares " + declared + " elements (" +
                    std::to_string(expected_size) + " bytes) but the data holds " +
                    std::to_string(bytes.size()) + " bytes");
  }
  if (bytes.size() > expected_size) {
    throw DataError(file.string() + ": corrupt: header declares " + declared + " elements (" +
                    std::to_string(expected_size) + " bytes) but the data holds " +
                    std::to_string(bytes.size()) + " bytes");
  }
  array.payload.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header_size), bytes.end());
  return array;
}

IdxArray read_idx(const std::filesystem::path& file, int dimensions) {
  return parse_idx(read_possibly_gzipped(file), dimensions, file);
}

}  // namespace structlab::datasets
