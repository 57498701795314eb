#include "structlab/archive/archive_status.hpp"

#include <fmt/format.h>

#include "archive/archive_file.hpp"
#include "archive/archive_layout.hpp"
#include "archive/hdf5_io.hpp"
#include "structlab/error.hpp"

namespace structlab::archive {

std::map<std::string, std::string> read_root_attributes(const std::filesystem::path& path) {
  using namespace detail;
  silence_hdf5_error_printing();
  try {
    Hdf5Handle file = open_archive_for_reading(path);
    return read_attributes_as_text(file.get());
  } catch (const std::exception& e) {
    throw ArchiveError(fmt::format("archive {}: {}", path.string(), e.what()));
  }
}

}  // namespace structlab::archive
