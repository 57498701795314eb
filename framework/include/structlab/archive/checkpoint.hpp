#pragma once
/// \file
/// Checkpoint files: `<run-id>.ckpt` beside the archive. A checkpoint is the run's archive as it was at a step
/// boundary (a complete HDF5 file in the archive layout, status "running" or "interrupted") plus a group
/// `/checkpoint` holding the training state and what it belongs to.

#include <cstdint>
#include <filesystem>
#include <string>

#include "structlab/archive/run_archive.hpp"

namespace structlab::archive {

/// What a checkpoint belongs to, checked before it is used.
struct CheckpointInfo {
  std::string structlab_version;  ///< structlab that wrote it
  std::string run_id;             ///< the run
  std::string spec_hash;          ///< full spec hash of the run
  std::string torch_version;      ///< LibTorch that wrote it
  std::string written_at;         ///< ISO 8601 UTC
  std::string reason;             ///< "periodic" or "interrupted"
  std::string position;           ///< where training stood, for people ("stage 1, epoch 2, step 40")
};

/// A checkpoint read back.
struct Checkpoint {
  CheckpointInfo info;  ///< what it belongs to
  std::string state;    ///< the serialized training state (TrainingEngine::save_state())
};

/// The checkpoint path of an archive: `<dir>/<run-id>.ckpt` for `<dir>/<run-id>.h5`.
std::filesystem::path checkpoint_path_of(const std::filesystem::path& archive_path);

/// Writes a checkpoint atomically: the archive so far (from \p writer) plus \p info and \p state go to
/// `<path>.tmp`, which is flushed to disk and renamed to \p path. Throws ArchiveError naming the path; an
/// older checkpoint at \p path is then left as it was.
void write_checkpoint(RunArchiveWriter& writer, const std::filesystem::path& path, const CheckpointInfo& info,
                      const std::string& state);

/// Reads a checkpoint; throws ArchiveError naming the path when it is not one or is damaged.
Checkpoint read_checkpoint(const std::filesystem::path& path);

}  // namespace structlab::archive
