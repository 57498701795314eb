#include "structlab/archive/archive_status.hpp"

#include <fmt/format.h>

#include "archive/archive_layout.hpp"
#include "archive/hdf5_io.hpp"
#include "structlab/error.hpp"

namespace structlab::archive {

std::map<std::string, std::string> read_root_attributes(const std::filesystem::path& path) {
  using namespace detail;
  silence_hdf5_error_printing();
  try {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) throw ArchiveError("no such file");
    if (H5Fis_hdf5(path.c_str()) <= 0) throw ArchiveError("not an HDF5 file");
    Hdf5Handle file =
        checked(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "cannot read the file (truncated or corrupt)");
    if (!has_attribute(file.get(), kFormatAttribute)) {
      throw ArchiveError(fmt::format("not a structlab run archive (no root attribute '{}')", kFormatAttribute));
    }
    return read_attributes_as_text(file.get());
  } catch (const std::exception& e) {
    throw ArchiveError(fmt::format("archive {}: {}", path.string(), e.what()));
  }
}

}  // namespace structlab::archive
