#pragma once
// Opening an existing run archive for reading: one place for every reader (read_archive, collect's metadata
// reader, inspect's fallback), so they agree on what counts as an archive and on HDF5's settings.

#include <filesystem>

#include "archive/hdf5_handle.hpp"

namespace structlab::archive::detail {

/// Opens \p path read-only and checks it is a structlab archive this version can read (an `archive_format`
/// root attribute not newer than ours). HDF5's file locking is off: the run lock guards archives, and flock()
/// fails on NFS and Lustre. Throws ArchiveError (without the path) saying why the file is not one.
Hdf5Handle open_archive_for_reading(const std::filesystem::path& path);

}  // namespace structlab::archive::detail
