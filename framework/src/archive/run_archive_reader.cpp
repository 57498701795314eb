// Reading archives back: read_archive() for everything, archive_state() for the runner's skip decision.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <system_error>

#include "archive/archive_file.hpp"
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

std::int64_t stage_index_of(const std::string& name) {
  bool digits = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (!digits || name.size() > 18) throw ArchiveError(fmt::format("/stages/{} is not a stage number", name));
  return std::stoll(name);
}

StageRecord read_stage(hid_t stages, const std::string& name, LayerTensors tensors) {
  Hdf5Handle group = open_group(stages, name);
  StageRecord stage;
  stage.index = stage_index_of(name);
  stage.description = read_string_attribute(group.get(), kDescriptionAttribute);
  if (has_attribute(group.get(), kSeriesAttribute)) stage.series = read_string_attribute(group.get(), kSeriesAttribute);
  stage.metrics = read_float_attributes(group.get());
  Hdf5Handle layers = open_group(group.get(), kLayersGroup);
  for (const std::string& layer : child_names(layers.get())) {
    stage.layers.push_back(read_layer(layers.get(), layer, tensors == LayerTensors::all));
  }
  Hdf5Handle structure = open_group(group.get(), kStructureGroup);
  stage.structure = read_graph(structure.get());
  stage.structure_metrics = read_float_attributes(structure.get());
  if (tensors == LayerTensors::all && has_link(group.get(), kParametersGroup)) {
    Hdf5Handle parameters = open_group(group.get(), kParametersGroup);
    stage.parameters = read_named_tensors(parameters.get());
  }
  return stage;
}

}  // namespace

ArchiveSummary read_archive(const fs::path& path, LayerTensors tensors) {
  silence_hdf5_error_printing();
  try {
    Hdf5Handle file = open_archive_for_reading(path);
    hid_t root = file.get();
    ArchiveSummary summary;
    summary.attributes = read_attributes_as_text(root);
    summary.spec_yaml = read_string_dataset(root, kSpecDataset);
    Hdf5Handle structure = open_group(root, kStructureGroup);
    summary.structure = read_graph(structure.get());
    summary.structure_metrics = read_float_attributes(structure.get());
    Hdf5Handle stages = open_group(root, kStagesGroup);
    for (const std::string& name : child_names(stages.get())) {
      summary.stages.push_back(read_stage(stages.get(), name, tensors));
    }
    std::sort(summary.stages.begin(), summary.stages.end(),
              [](const StageRecord& a, const StageRecord& b) { return a.index < b.index; });
    summary.history = read_history_table(root);
    return summary;
  } catch (const std::exception& e) {
    // anything, including a failed allocation for a corrupt dataset size, is a problem with this file
    throw ArchiveError(fmt::format("archive {}: {}", path.string(), e.what()));
  }
}

ArchiveIdentity archive_identity(const fs::path& path) {
  ArchiveIdentity identity;
  identity.state = archive_state(path);
  if (identity.state != ArchiveState::completed && identity.state != ArchiveState::failed) return identity;
  try {
    Hdf5Handle file = open_archive_for_reading(path);
    if (has_attribute(file.get(), "spec_hash"))
      identity.spec_hash = read_string_attribute(file.get(), "spec_hash");
    if (has_attribute(file.get(), "run_id")) identity.run_id = read_string_attribute(file.get(), "run_id");
  } catch (...) {
    identity.state = ArchiveState::unreadable;
  }
  return identity;
}

ArchiveState archive_state(const fs::path& path) {
  try {
    silence_hdf5_error_printing();
    std::error_code error;
    if (!fs::exists(path, error)) return error ? ArchiveState::unreadable : ArchiveState::missing;
    Hdf5Handle file = open_archive_for_reading(path);
    std::string status = read_string_attribute(file.get(), kStatusAttribute);
    if (status == "completed") return ArchiveState::completed;
    if (status == "failed") return ArchiveState::failed;
    return ArchiveState::unreadable;
  } catch (...) {
    return ArchiveState::unreadable;
  }
}

}  // namespace structlab::archive
