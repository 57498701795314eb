#include "archive/archive_file.hpp"

#include <fmt/format.h>

#include "archive/archive_layout.hpp"
#include "archive/hdf5_io.hpp"
#include "structlab/error.hpp"

namespace structlab::archive::detail {
namespace fs = std::filesystem;

// Opens an existing structlab archive read-only; throws ArchiveError (without the path) saying why it is not
// one.
Hdf5Handle open_archive_for_reading(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) throw ArchiveError("no such file");
  htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 == 0) throw ArchiveError("not an HDF5 file");
  if (is_hdf5 < 0) throw_hdf5_failure("not a readable HDF5 file");
  Hdf5Handle access = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access properties");
  check(H5Pset_fclose_degree(access.get(), H5F_CLOSE_STRONG), "file access properties");
  // the run lock (run_lock.hpp) guards archives; HDF5's flock() fails on NFS and Lustre
  check(H5Pset_file_locking(access.get(), false, true), "file access properties");
  Hdf5Handle file = checked(H5Fopen(path.c_str(), H5F_ACC_RDONLY, access.get()), H5Fclose,
                            "cannot read the file (truncated or corrupt)");
  if (!has_attribute(file.get(), kFormatAttribute)) {
    throw ArchiveError(fmt::format("not a structlab run archive (no root attribute '{}')", kFormatAttribute));
  }
  std::int64_t format = read_int64_attribute(file.get(), kFormatAttribute);
  if (format > kArchiveFormatVersion) {
    throw ArchiveError(fmt::format("written in archive format {}, this structlab reads format {} and older",
                                   format, kArchiveFormatVersion));
  }
  return file;
}

}  // namespace structlab::archive::detail
