#include "idx_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <string>

#include "structlab/error.hpp"
#include "structlab/memory_limit.hpp"

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

// One file read from the start, inflated on the fly when it is gzip-compressed (gzread passes a file without
// the gzip signature through unchanged, so one reader serves both kinds).
class PossiblyGzippedFile {
 public:
  explicit PossiblyGzippedFile(const std::filesystem::path& file) : file_(file), gz_(nullptr, &gzclose) {
    std::error_code ignored;
    if (!std::filesystem::is_regular_file(file, ignored)) {
      throw DataError(file.string() + ": cannot read: no such file");
    }
    gz_.reset(gzopen(file.c_str(), "rb"));
    if (!gz_) throw DataError(file.string() + ": cannot open for reading");
    gzbuffer(gz_.get(), 1 << 18);
  }

  // Appends up to `count` more bytes to `bytes` (fewer at the end of the data); memory grows with what
  // is actually there, never with what was asked for, so a lying header allocates nothing.
  void append(std::vector<std::uint8_t>& bytes, std::uint64_t count) {
    constexpr std::uint64_t kChunk = 1u << 20;
    while (count > 0 && !at_end_) {
      const auto step = static_cast<unsigned>(std::min(count, kChunk));
      std::size_t used = bytes.size();
      bytes.resize(used + step);
      int got = gzread(gz_.get(), bytes.data() + used, step);
      if (got < 0) {
        int code = Z_OK;
        throw DataError(file_.string() + ": corrupt gzip data: " + gzip_error(gz_.get(), file_, code));
      }
      bytes.resize(used + static_cast<std::size_t>(got));
      if (got == 0) at_end_ = true;
      count -= static_cast<std::uint64_t>(got);
    }
  }

  // Throws when the stream stopped on an error rather than at its end; only meaningful once all was read.
  void check_complete() {
    // a gzip stream cut short ends without a read error but leaves Z_BUF_ERROR behind
    int code = Z_OK;
    const std::string message = gzip_error(gz_.get(), file_, code);
    if (code != Z_OK) throw DataError(file_.string() + ": truncated or corrupt gzip data: " + message);
  }

 private:
  const std::filesystem::path& file_;
  std::unique_ptr<gzFile_s, decltype(&gzclose)> gz_;
  bool at_end_ = false;
};

// The payload size in bytes the header in `bytes` declares (saturating at 2^64 - 1), and its dims.
std::uint64_t declared_payload(const std::vector<std::uint8_t>& bytes, int dimensions,
                               std::vector<std::int64_t>& dims) {
  constexpr std::uint64_t kUnbounded = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t payload_size = 1;
  for (int d = 0; d < dimensions; ++d) {
    std::uint32_t size = read_big_endian_u32(bytes.data() + 4 * (1 + d));
    dims.push_back(static_cast<std::int64_t>(size));
    // a corrupt header can declare more than 2^64 bytes: saturate, the size checks reject it anyway
    payload_size = (size != 0 && payload_size > kUnbounded / size) ? kUnbounded : payload_size * size;
  }
  return payload_size;
}

std::string declared_shape(const std::vector<std::int64_t>& dims) {
  std::string declared = std::to_string(dims[0]);
  for (std::size_t d = 1; d < dims.size(); ++d) declared += "x" + std::to_string(dims[d]);
  return declared;
}

// Throws unless `bytes` starts with a whole header of the expected magic number.
void check_header(const std::vector<std::uint8_t>& bytes, int dimensions, const std::filesystem::path& file) {
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
}

}  // namespace

void require_readable(const std::filesystem::path& file) { PossiblyGzippedFile reader(file); }

std::vector<std::uint8_t> read_possibly_gzipped(const std::filesystem::path& file) {
  PossiblyGzippedFile reader(file);
  std::vector<std::uint8_t> bytes;
  reader.append(bytes, std::numeric_limits<std::uint64_t>::max());
  reader.check_complete();
  return bytes;
}

IdxArray parse_idx(const std::vector<std::uint8_t>& bytes, int dimensions,
                   const std::filesystem::path& file) {
  check_header(bytes, dimensions, file);
  const std::size_t header_size = 4 * (1 + static_cast<std::size_t>(dimensions));
  IdxArray array;
  const std::uint64_t payload_size = declared_payload(bytes, dimensions, array.dims);
  constexpr std::uint64_t kUnbounded = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t expected_size =
      payload_size > kUnbounded - header_size ? kUnbounded : header_size + payload_size;
  const std::string declared = declared_shape(array.dims);
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
  // The header first, then no more than it declares (plus one byte, to tell a longer file): a gzip bomb
  // stops inflating at the declared size instead of filling the memory.
  PossiblyGzippedFile reader(file);
  const std::size_t header_size = 4 * (1 + static_cast<std::size_t>(dimensions));
  std::vector<std::uint8_t> bytes;
  reader.append(bytes, header_size);
  check_header(bytes, dimensions, file);
  std::vector<std::int64_t> dims;
  const std::uint64_t payload_size = declared_payload(bytes, dimensions, dims);
  if (auto refusal = memory_refusal(static_cast<double>(payload_size),
                                    declared_shape(dims) + " elements the header declares")) {
    throw DataError(file.string() + ": " + *refusal);
  }
  reader.append(bytes, payload_size + 1);
  if (bytes.size() > header_size + payload_size) {
    throw DataError(file.string() + ": corrupt: header declares " + declared_shape(dims) + " elements (" +
                    std::to_string(header_size + payload_size) +
                    " bytes) but the data holds more; stopped reading there");
  }
  reader.check_complete();
  return parse_idx(bytes, dimensions, file);
}

}  // namespace structlab::datasets
