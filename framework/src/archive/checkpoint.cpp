// Checkpoint files: a copy of the partial archive plus /checkpoint (training state and its owner).

#include "structlab/archive/checkpoint.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "archive/archive_layout.hpp"
#include "archive/hdf5_io.hpp"
#include "structlab/error.hpp"

namespace structlab::archive {
namespace fs = std::filesystem;
using namespace detail;

namespace {

constexpr const char* kStateDataset = "state";
constexpr std::int64_t kCheckpointFormat = 1;

void sync_file(const fs::path& path) {
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) throw ArchiveError(fmt::format("cannot open {}: {}", path.string(), strerror(errno)));
  const int status = ::fsync(descriptor);
  const int saved_errno = errno;
  ::close(descriptor);
  if (status != 0)
    throw ArchiveError(fmt::format("fsync of {} failed: {}", path.string(), strerror(saved_errno)));
}

Hdf5Handle open_file(const fs::path& path, unsigned flags) {
  Hdf5Handle access = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access properties");
  check(H5Pset_fclose_degree(access.get(), H5F_CLOSE_STRONG), "file access properties");
  check(H5Pset_file_locking(access.get(), false, true), "file access properties");
  return checked(H5Fopen(path.c_str(), flags, access.get()), H5Fclose, "cannot open the file");
}

}  // namespace

fs::path checkpoint_path_of(const fs::path& archive_path) {
  fs::path path = archive_path;
  path.replace_extension(".ckpt");
  return path;
}

void write_checkpoint(RunArchiveWriter& writer, const fs::path& path, const CheckpointInfo& info,
                      const std::string& state) {
  silence_hdf5_error_printing();
  fs::path temporary = path;
  temporary += ".tmp";
  try {
    writer.copy_to(temporary, info.reason == "interrupted" ? "interrupted" : "running");
    {
      Hdf5Handle file = open_file(temporary, H5F_ACC_RDWR);
      Hdf5Handle group = create_group(file.get(), kCheckpointGroup, false);
      write_int64_attribute(group.get(), "checkpoint_format", kCheckpointFormat);
      write_string_attribute(group.get(), "structlab_version", info.structlab_version);
      write_string_attribute(group.get(), "run_id", info.run_id);
      write_string_attribute(group.get(), "spec_hash", info.spec_hash);
      write_string_attribute(group.get(), "torch_version", info.torch_version);
      write_string_attribute(group.get(), "written_at", info.written_at);
      write_string_attribute(group.get(), "reason", info.reason);
      write_string_attribute(group.get(), "position", info.position);
      write_dataset(group.get(), kStateDataset, H5T_STD_U8LE, H5T_NATIVE_UINT8, {state.size()}, state.data(),
                    kWeightStorage);
      group.close("closing /checkpoint");
      file.close("closing the file");
    }
    sync_file(temporary);
    fs::rename(temporary, path);
    if (path.has_parent_path()) sync_file(path.parent_path());
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw ArchiveError(fmt::format("checkpoint {}: cannot write it: {}", path.string(), e.what()));
  }
}

Checkpoint read_checkpoint(const fs::path& path) {
  silence_hdf5_error_printing();
  try {
    if (H5Fis_hdf5(path.c_str()) <= 0) throw ArchiveError("not an HDF5 file");
    Hdf5Handle file = open_file(path, H5F_ACC_RDONLY);
    if (!has_link(file.get(), kCheckpointGroup)) throw ArchiveError("no /checkpoint group: not a checkpoint");
    Hdf5Handle group = open_group(file.get(), kCheckpointGroup);
    const std::int64_t format = read_int64_attribute(group.get(), "checkpoint_format");
    if (format != kCheckpointFormat) {
      throw ArchiveError(
          fmt::format("checkpoint format {}, this structlab reads format {}", format, kCheckpointFormat));
    }
    Checkpoint checkpoint;
    checkpoint.info.structlab_version = read_string_attribute(group.get(), "structlab_version");
    checkpoint.info.run_id = read_string_attribute(group.get(), "run_id");
    checkpoint.info.spec_hash = read_string_attribute(group.get(), "spec_hash");
    checkpoint.info.torch_version = read_string_attribute(group.get(), "torch_version");
    checkpoint.info.written_at = read_string_attribute(group.get(), "written_at");
    checkpoint.info.reason = read_string_attribute(group.get(), "reason");
    checkpoint.info.position = read_string_attribute(group.get(), "position");
    Hdf5Handle state = open_dataset(group.get(), kStateDataset);
    const std::vector<hsize_t> dims = dataset_dims(state.get());
    if (dims.size() != 1) throw ArchiveError("/checkpoint/state is not a byte array");
    checkpoint.state.resize(dims[0]);
    read_whole_dataset(state.get(), H5T_NATIVE_UINT8, checkpoint.state.data());
    return checkpoint;
  } catch (const std::exception& e) {
    throw ArchiveError(fmt::format("checkpoint {}: {}", path.string(), e.what()));
  }
}

}  // namespace structlab::archive
