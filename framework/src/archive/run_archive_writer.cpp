// RunArchiveWriter: writes `<final>.partial`, then flushes, closes and renames it, so the final name only
// ever holds a complete archive.

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <system_error>

#include "archive/archive_layout.hpp"
#include "archive/archive_records.hpp"
#include "archive/hdf5_io.hpp"
#include "archive/history_table.hpp"
#include "structlab/archive/run_archive.hpp"
#include "structlab/error.hpp"

namespace structlab::archive {
namespace fs = std::filesystem;
using namespace detail;

namespace {

// Forces a file's (or directory's) contents to disk: without it a machine crash right after the rename could
// leave an empty file under the final name on some file systems.
void sync_to_disk(const fs::path& path, const std::string& what) {
  int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0)
    throw ArchiveError(fmt::format("{}: cannot open {}: {}", what, path.string(), strerror(errno)));
  int status = ::fsync(descriptor);
  int saved_errno = errno;
  ::close(descriptor);
  if (status != 0)
    throw ArchiveError(fmt::format("{}: fsync of {} failed: {}", what, path.string(), strerror(saved_errno)));
}

Hdf5Handle archive_file_access() {
  Hdf5Handle access = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access properties");
  // closing the file closes every object still open in it, so no stray handle keeps it half-written
  check(H5Pset_fclose_degree(access.get(), H5F_CLOSE_STRONG), "file access properties");
  // the run lock (run_lock.hpp) guards archives; HDF5's flock() fails on NFS and Lustre, where clusters keep
  // results, so it is off
  check(H5Pset_file_locking(access.get(), false, true), "file access properties");
  return access;
}

// Copies \p from to \p to as a new inode. The run's files are never old inodes truncated in place: a stalled
// former holder of the run (its lock taken over) may still have the old file open and write to it.
void copy_to_new_file(const fs::path& from, const fs::path& to) {
  fs::remove(to);
  fs::copy_file(from, to);
}

Hdf5Handle create_archive_file(const fs::path& partial_path) {
  fs::remove(partial_path);  // a new inode, as copy_to_new_file makes
  Hdf5Handle access = archive_file_access();
  return checked(H5Fcreate(partial_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), H5Fclose,
                 "creating the file");
}

Hdf5Handle open_archive_for_writing(const fs::path& path) {
  Hdf5Handle access = archive_file_access();
  return checked(H5Fopen(path.c_str(), H5F_ACC_RDWR, access.get()), H5Fclose, "opening the file for writing");
}

}  // namespace

struct RunArchiveWriter::Impl {
  fs::path final_path;
  fs::path partial_path;
  Hdf5Handle file;
  Hdf5Handle history;
  bool finished = false;

  // Runs one public operation: HDF5 errors become messages, and every failure names the file being written.
  template <class Operation>
  void run(const char* action, Operation&& operation) {
    silence_hdf5_error_printing();
    if (finished || !file.valid()) {
      throw ArchiveError(fmt::format("archive {}: cannot {} after finish()", final_path.string(), action));
    }
    try {
      operation();
    } catch (const std::exception& e) {
      throw ArchiveError(fmt::format("archive {}: {}: {}", partial_path.string(), action, e.what()));
    }
  }

  // `<final>.partial` beside the final path, whose folder is created when writing starts
  void set_paths(fs::path final) {
    final_path = std::move(final);
    partial_path = final_path;
    partial_path += kPartialSuffix;
  }

  void create_folder() const {
    if (final_path.has_parent_path()) fs::create_directories(final_path.parent_path());
  }

  void discard_partial() noexcept {
    history.reset();
    file.reset();
    std::error_code ignored;
    fs::remove(partial_path, ignored);
  }
};

RunArchiveWriter::RunArchiveWriter(fs::path final_path) : impl_(std::make_unique<Impl>()) {
  silence_hdf5_error_printing();
  impl_->set_paths(std::move(final_path));
  try {
    impl_->create_folder();
    impl_->file = create_archive_file(impl_->partial_path);
    hid_t root = impl_->file.get();
    write_int64_attribute(root, kFormatAttribute, kArchiveFormatVersion);
    write_string_attribute(root, kStatusAttribute, "running");
    write_string_attribute(root, kMessageAttribute, "");
    write_string_attribute(root, kEndTimeAttribute, "");
    create_group(root, kStagesGroup, false);
    impl_->history = create_history_table(root);
  } catch (const std::exception& e) {
    impl_->discard_partial();
    throw ArchiveError(
        fmt::format("archive {}: cannot start writing: {}", impl_->partial_path.string(), e.what()));
  }
}

RunArchiveWriter::RunArchiveWriter(fs::path final_path, const fs::path& checkpoint)
    : impl_(std::make_unique<Impl>()) {
  silence_hdf5_error_printing();
  impl_->set_paths(std::move(final_path));
  try {
    impl_->create_folder();
    copy_to_new_file(checkpoint, impl_->partial_path);
    impl_->file = open_archive_for_writing(impl_->partial_path);
    hid_t root = impl_->file.get();
    if (has_link(root, kCheckpointGroup))
      check(H5Ldelete(root, kCheckpointGroup, H5P_DEFAULT), "dropping /checkpoint");
    write_string_attribute(root, kStatusAttribute, "running");
    impl_->history = open_dataset(root, kHistoryDataset);
  } catch (const std::exception& e) {
    impl_->discard_partial();
    throw ArchiveError(fmt::format("archive {}: cannot go on from checkpoint {}: {}",
                                   impl_->partial_path.string(), checkpoint.string(), e.what()));
  }
}

void RunArchiveWriter::copy_to(const fs::path& destination, const std::string& status) {
  impl_->run("copy the archive", [&] {
    check(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), "flushing the file");
    copy_to_new_file(impl_->partial_path, destination);
    Hdf5Handle copy = open_archive_for_writing(destination);
    write_string_attribute(copy.get(), kStatusAttribute, status);
    copy.close("closing " + destination.string());
  });
}

RunArchiveWriter::~RunArchiveWriter() {
  if (impl_ && !impl_->finished) impl_->discard_partial();
}

void RunArchiveWriter::write_run_attributes(const RunAttributes& attributes) {
  impl_->run("write the run attributes", [&] {
    std::set<std::string> roles;
    for (const PluginUse& plugin : attributes.plugins) {
      if (plugin.role.empty()) throw ArchiveError(fmt::format("plugin '{}' has no role", plugin.name));
      if (!roles.insert(plugin.role).second) {
        throw ArchiveError(fmt::format("two plugins with the role '{}'", plugin.role));
      }
    }
    hid_t root = impl_->file.get();
    write_string_attribute(root, "structlab_version", attributes.structlab_version);
    write_string_attribute(root, "run_id", attributes.run_id);
    write_string_attribute(root, "spec_hash", attributes.spec_hash);
    write_uint64_attribute(root, "seed", attributes.seed);
    write_string_attribute(root, "start_time", attributes.start_time);
    write_string_attribute(root, "host", attributes.host);
    write_string_attribute(root, "torch_version", attributes.torch_version);
    // the sparse kernels' rounding differs between instruction sets (fused multiply-add or not), so bit-exact
    // reruns need the same one
    if (!attributes.sparse_kernels_isa.empty()) {
      write_string_attribute(root, "sparse_kernels_isa", attributes.sparse_kernels_isa);
    }
    for (const PluginUse& plugin : attributes.plugins) {
      write_string_attribute(root, plugin_attribute(plugin.role, "name"), plugin.name);
      write_string_attribute(root, plugin_attribute(plugin.role, "version"), plugin.version);
      write_string_attribute(root, plugin_attribute(plugin.role, "path"), plugin.path);
    }
  });
}

void RunArchiveWriter::write_spec(const std::string& yaml) {
  impl_->run("write /spec", [&] { write_string_dataset(impl_->file.get(), kSpecDataset, yaml); });
}

void RunArchiveWriter::write_structure(const graph::LayeredGraph& structure,
                                       const std::map<std::string, double>& metrics) {
  impl_->run("write /structure", [&] {
    if (has_link(impl_->file.get(), kStructureGroup)) throw ArchiveError("/structure was already written");
    if (metrics.count(kNumVerticesAttribute) != 0) {
      throw ArchiveError(fmt::format("a structure metric may not be named '{}'", kNumVerticesAttribute));
    }
    // layering first: a graph with a cycle must not leave a half-written group behind
    structure.layer_per_vertex();
    Hdf5Handle group = create_group(impl_->file.get(), kStructureGroup, false);
    write_graph(group.get(), structure, metrics);
  });
}

namespace {

// Everything that can be wrong with a stage record, checked before the first byte of it is written.
void validate_stage_record(const StageRecord& stage) {
  if (stage.index < 0) throw ArchiveError(fmt::format("stage index {} is negative", stage.index));
  for (const char* reserved : {kDescriptionAttribute, kSeriesAttribute}) {
    if (stage.metrics.count(reserved) != 0) throw ArchiveError(fmt::format("a metric may not be named '{}'", reserved));
  }
  if (stage.structure_metrics.count(kNumVerticesAttribute) != 0) {
    throw ArchiveError(fmt::format("a structure metric may not be named '{}'", kNumVerticesAttribute));
  }
  validate_named_tensors(stage.parameters);
  std::set<std::string> layer_names;
  for (const LayerRecord& layer : stage.layers) {
    validate_layer(layer);
    if (!layer_names.insert(layer.name).second) throw ArchiveError(fmt::format("two layers named '{}'", layer.name));
  }
  stage.structure.layer_per_vertex();
}

// Writes \p stage as the group \p name of \p parent (a stage under /stages, or a snapshot under /snapshots).
void write_stage_group(hid_t parent, const std::string& name, const StageRecord& stage) {
  Hdf5Handle group = create_group(parent, name, false);
  write_string_attribute(group.get(), kDescriptionAttribute, stage.description);
  if (!stage.series.empty()) write_string_attribute(group.get(), kSeriesAttribute, stage.series);
  for (const auto& [metric, value] : stage.metrics) write_double_attribute(group.get(), metric, value);
  Hdf5Handle layers = create_group(group.get(), kLayersGroup, true);
  for (const LayerRecord& layer : stage.layers) write_layer(layers.get(), layer);
  Hdf5Handle parameters = create_group(group.get(), kParametersGroup, false);
  write_named_tensors(parameters.get(), stage.parameters);
  Hdf5Handle structure = create_group(group.get(), kStructureGroup, false);
  write_graph(structure.get(), stage.structure, stage.structure_metrics);
}

}  // namespace

void RunArchiveWriter::write_stage(const StageRecord& stage) {
  std::string name = stage_group_name(stage.index);
  impl_->run(fmt::format("write stage {}", name).c_str(), [&] {
    validate_stage_record(stage);
    Hdf5Handle stages = open_group(impl_->file.get(), kStagesGroup);
    if (has_link(stages.get(), name)) throw ArchiveError(fmt::format("/stages/{} was already written", name));
    write_stage_group(stages.get(), name, stage);
  });
}

void RunArchiveWriter::write_snapshot(const std::string& label, const StageRecord& snapshot) {
  const std::string name = stage_group_name(snapshot.index) + "-" + label;
  impl_->run(fmt::format("write snapshot {}", name).c_str(), [&] {
    validate_stage_record(snapshot);
    hid_t root = impl_->file.get();
    if (!has_link(root, kSnapshotsGroup)) create_group(root, kSnapshotsGroup, false);
    Hdf5Handle snapshots = open_group(root, kSnapshotsGroup);
    if (has_link(snapshots.get(), name)) throw ArchiveError(fmt::format("/snapshots/{} was already written", name));
    write_stage_group(snapshots.get(), name, snapshot);
  });
}

void RunArchiveWriter::append_history(const HistoryRow& row) {
  impl_->run("append to /history", [&] { append_history_row(impl_->history.get(), row); });
}

void RunArchiveWriter::finish(const std::string& status, const std::string& message,
                              const std::string& end_time) {
  impl_->run("finish", [&] {
    if (status != "completed" && status != "failed") {
      throw ArchiveError(fmt::format("status '{}' is neither 'completed' nor 'failed'", status));
    }
    hid_t root = impl_->file.get();
    write_string_attribute(root, kStatusAttribute, status);
    write_string_attribute(root, kMessageAttribute, message);
    write_string_attribute(root, kEndTimeAttribute, end_time);
    impl_->history.close("closing /history");
    impl_->file.close("closing the file");
    sync_to_disk(impl_->partial_path, "flushing the file");
    if (status == "failed" && archive_state(impl_->final_path) == ArchiveState::completed) {
      // a failed attempt (a forced rerun, say) must not destroy the completed result
      impl_->final_path += ".failed";
    }
    fs::rename(impl_->partial_path, impl_->final_path);
    if (impl_->final_path.has_parent_path())
      sync_to_disk(impl_->final_path.parent_path(), "flushing the directory");
    impl_->finished = true;
  });
}

void RunArchiveWriter::abandon() noexcept {
  impl_->history.reset();
  impl_->file.reset();
  impl_->finished = true;
}

const fs::path& RunArchiveWriter::final_path() const { return impl_->final_path; }

}  // namespace structlab::archive
