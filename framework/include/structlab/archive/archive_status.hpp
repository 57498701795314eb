#pragma once
/// \file
/// The root attributes of a run archive alone (status, message, run id, ...), readable from any archive that
/// opens, also one of a run that failed before it had a structure or stages, which read_archive() refuses.

#include <filesystem>
#include <map>
#include <string>

namespace structlab::archive {

/// Every root attribute of the structlab archive at \p path, as text (numbers in decimal); reads nothing else.
/// Throws ArchiveError naming the path when the file is missing, not HDF5, or not a structlab archive.
std::map<std::string, std::string> read_root_attributes(const std::filesystem::path& path);

}  // namespace structlab::archive
