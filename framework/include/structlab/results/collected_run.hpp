#pragma once
/// \file
/// Finding run archives under files and folders and reading each one's metadata: the input of
/// `structlab collect` and `structlab report`.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "structlab/archive/archive_metadata.hpp"

namespace structlab::results {

/// One run as collected: its archive's metadata plus what the table needs from it.
struct CollectedRun {
  archive::ArchiveMetadata metadata;  ///< what was read (only path and kind when the file could not be read)
  std::string run_id;                 ///< root attribute run_id, or the file name without its suffix
  std::string experiment;             ///< the spec's `experiment`, or the run id without its hash
  std::optional<std::uint64_t> seed;  ///< root attribute seed
  std::string status;   ///< completed | failed | interrupted | running (root attribute), partial
                        ///< (.h5.partial), interrupted (.ckpt)
  std::string message;  ///< root attribute message; for an unreadable partial file, why it could not be read
  std::string spec_hash;                                  ///< root attribute spec_hash
  std::vector<std::pair<std::string, std::string>> spec;  ///< flattened spec without experiment and seeds
  std::vector<std::pair<std::string, std::string>> grid_point;  ///< the spec keys that vary in the experiment
};

/// The runs found and the files that were skipped.
struct Collection {
  std::vector<CollectedRun> runs;     ///< in path order
  std::vector<std::string> warnings;  ///< "<path>: <why it is not a structlab archive>", one per skipped file
};

/// The archive files under \p paths: each file named as it is, and in each folder (recursively) every
/// `*.h5`, `*.hdf5`, `*.h5.partial` and `*.ckpt`, sorted, without a `.h5.partial` or `.ckpt` whose run has a
/// `<run-id>.h5` beside it. Throws ConfigError naming a path that does not exist.
std::vector<std::filesystem::path> find_archive_files(const std::vector<std::filesystem::path>& paths);

/// Reads one file found by find_archive_files(). A partial file or checkpoint that cannot be read is still a
/// run (status partial or interrupted, the reason as message); throws ArchiveError naming the path for any
/// other file that is not a readable structlab archive.
CollectedRun read_collected_run(const std::filesystem::path& path, const archive::MetadataParts& parts = {});

/// Sets each run's grid_point: the flattened spec keys that take two or more values among the runs of the
/// same experiment that have them (seeds aside), in spec order. The archive does not record the grid, so this
/// is what the sweep varied. A run alone in its experiment has an empty grid point.
void infer_grid_points(std::vector<CollectedRun>& runs);

/// find_archive_files(), read_collected_run() on each (files that are no archives become warnings) and
/// infer_grid_points(). Throws ConfigError naming a path that does not exist.
Collection collect_runs(const std::vector<std::filesystem::path>& paths,
                        const archive::MetadataParts& parts = {});

/// The grid point as text, "structure.k=4 structure.p=0.1" (empty for none).
std::string grid_point_text(const CollectedRun& run);

/// The stage that is a run's result: its last stage that is not a lottery-ticket control (series empty or
/// "ticket"), else its last stage. \p metadata must have at least one stage.
const archive::StageMetadata& result_stage(const archive::ArchiveMetadata& metadata);

}  // namespace structlab::results
