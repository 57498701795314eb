#pragma once
// Helpers for the dataset plugin tests: a scratch directory, small files written byte by byte, a gzip writer
// that needs no zlib, and loading a dataset plugin through the registry as the runner does.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <typeinfo>
#include <vector>

#include "structlab/params.hpp"
#include "structlab/plugin/dataset.hpp"
#include "structlab/plugin/registry.hpp"

namespace structlab::test {

/// A fresh directory under the system temp directory, removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device entropy;
    path_ = std::filesystem::temp_directory_path() /
            ("structlab-data-test-" + std::to_string(entropy()) + "-" + std::to_string(entropy()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
}

/// \p bytes as a gzip file of stored (uncompressed) deflate blocks: valid gzip, written without zlib so the
/// test checks the plugin's reader rather than agreeing with itself.
inline std::vector<std::uint8_t> gzip_stored(const std::vector<std::uint8_t>& bytes) {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  std::uint32_t crc = 0xffffffffu;
  for (std::uint8_t b : bytes) crc = table[(crc ^ b) & 0xffu] ^ (crc >> 8);
  crc ^= 0xffffffffu;

  std::vector<std::uint8_t> out = {0x1f, 0x8b, 8, 0, 0,
                                   0,    0,    0, 0, 255};  // magic, deflate, no flags, unknown OS
  const auto put32 = [&out](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  std::size_t offset = 0;
  do {
    const std::size_t length = std::min<std::size_t>(65535, bytes.size() - offset);
    const bool last = offset + length == bytes.size();
    out.push_back(last ? 1 : 0);  // BFINAL bit, block type 00 (stored)
    out.push_back(static_cast<std::uint8_t>(length));
    out.push_back(static_cast<std::uint8_t>(length >> 8));
    out.push_back(static_cast<std::uint8_t>(~length));
    out.push_back(static_cast<std::uint8_t>(~length >> 8));
    out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset),
               bytes.begin() + static_cast<std::ptrdiff_t>(offset + length));
    offset += length;
  } while (offset < bytes.size());
  put32(crc);
  put32(static_cast<std::uint32_t>(bytes.size()));
  return out;
}

/// Creates the dataset plugin \p name from \p params through the plugin registry, as the runner does.
inline std::shared_ptr<plugin::Dataset> make_dataset(const std::string& name, const Params& params) {
  plugin::PluginRegistry registry;
  registry.add_path(STRUCTLAB_TEST_PLUGIN_DIR);
  registry.scan();
  return registry.create_dataset(name, params);
}

/// Runs \p action, which must throw exactly \p Exception; returns its message (empty after a test failure).
template <typename Exception, typename Action>
std::string message_of(Action&& action) {
  try {
    action();
  } catch (const Exception& error) {
    EXPECT_EQ(typeid(error), typeid(Exception)) << "threw a subclass: " << error.what();
    return error.what();
  } catch (const std::exception& other) {
    ADD_FAILURE() << "expected " << typeid(Exception).name() << ", got " << typeid(other).name() << ": "
                  << other.what();
    return "";
  }
  ADD_FAILURE() << "expected " << typeid(Exception).name() << ", nothing was thrown";
  return "";
}

/// Creates the dataset \p name and returns the message of the \p Exception its load(\p seed) throws.
/// The dataset outlives the catch on purpose: an exception thrown by plugin code may point into the plugin's
/// library (its vtable), which must still be loaded while the handler reads it.
template <typename Exception>
std::string load_error(const std::string& name, const Params& params, std::uint64_t seed = 1) {
  std::shared_ptr<plugin::Dataset> dataset = make_dataset(name, params);
  return message_of<Exception>([&] { dataset->load(seed); });
}

}  // namespace structlab::test
