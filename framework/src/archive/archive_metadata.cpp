// Reading an archive's metadata (attributes, spec, history, metrics) without touching its weight datasets.

#include "structlab/archive/archive_metadata.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <system_error>

#include "archive/archive_file.hpp"
#include "archive/archive_layout.hpp"
#include "archive/hdf5_io.hpp"
#include "archive/history_table.hpp"
#include "structlab/error.hpp"

namespace structlab::archive {
namespace fs = std::filesystem;
using namespace detail;

namespace {

std::int64_t stage_index_of(const std::string& name) {
  bool digits = !name.empty() && name.size() <= 18 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (!digits) throw ArchiveError(fmt::format("/stages/{} is not a stage number", name));
  return std::stoll(name);
}

// The metric attributes of a graph group, num_vertices included (as a number like the others).
std::map<std::string, double> graph_metrics(hid_t group) {
  std::map<std::string, double> metrics = read_float_attributes(group);
  if (has_attribute(group, kNumVerticesAttribute)) {
    metrics[kNumVerticesAttribute] = static_cast<double>(read_int64_attribute(group, kNumVerticesAttribute));
  }
  return metrics;
}

StoredGraph read_stored_graph(hid_t group) {
  StoredGraph graph;
  graph.num_vertices = read_int64_attribute(group, kNumVerticesAttribute);
  Hdf5Handle edges = open_dataset(group, kEdgesDataset);
  std::vector<hsize_t> dims = dataset_dims(edges.get());
  if (dims.size() != 2 || dims[1] != 2) {
    throw ArchiveError(fmt::format("dataset {} is not an E x 2 edge array", object_path(edges.get())));
  }
  std::vector<std::int64_t> flat(dims[0] * 2);
  if (!flat.empty()) read_whole_dataset(edges.get(), H5T_NATIVE_INT64, flat.data());
  graph.edges.reserve(dims[0]);
  for (std::size_t i = 0; i < dims[0]; ++i) graph.edges.emplace_back(flat[2 * i], flat[2 * i + 1]);
  Hdf5Handle layers = open_dataset(group, kLayerPerVertexDataset);
  std::vector<hsize_t> layer_dims = dataset_dims(layers.get());
  if (layer_dims.size() != 1) {
    throw ArchiveError(fmt::format("dataset {} is not one layer per vertex", object_path(layers.get())));
  }
  graph.layer_of_vertex.resize(layer_dims[0]);
  if (!graph.layer_of_vertex.empty()) {
    read_whole_dataset(layers.get(), H5T_NATIVE_INT32, graph.layer_of_vertex.data());
  }
  return graph;
}

std::vector<LayerCounts> read_layer_counts(hid_t stage) {
  std::vector<LayerCounts> counts;
  if (!has_link(stage, kLayersGroup)) return counts;
  Hdf5Handle layers = open_group(stage, kLayersGroup);
  for (const std::string& name : child_names(layers.get())) {
    Hdf5Handle layer = open_group(layers.get(), name);
    LayerCounts entry;
    entry.name = name;
    entry.source_layer = read_int64_attribute(layer.get(), "source_layer");
    entry.target_layer = read_int64_attribute(layer.get(), "target_layer");
    entry.active = read_int64_attribute(layer.get(), "active");
    entry.total = read_int64_attribute(layer.get(), "total");
    counts.push_back(std::move(entry));
  }
  return counts;
}

StageMetadata read_stage_metadata(hid_t stages, const std::string& name, const MetadataParts& parts) {
  Hdf5Handle group = open_group(stages, name);
  StageMetadata stage;
  stage.index = stage_index_of(name);
  if (has_attribute(group.get(), kDescriptionAttribute)) {
    stage.description = read_string_attribute(group.get(), kDescriptionAttribute);
  }
  if (has_attribute(group.get(), kSeriesAttribute)) stage.series = read_string_attribute(group.get(), kSeriesAttribute);
  stage.metrics = read_float_attributes(group.get());
  if (has_link(group.get(), kStructureGroup)) {
    Hdf5Handle structure = open_group(group.get(), kStructureGroup);
    stage.structure_metrics = graph_metrics(structure.get());
    if (parts.graphs) stage.structure = read_stored_graph(structure.get());
  }
  if (parts.layer_counts) stage.layers = read_layer_counts(group.get());
  return stage;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

ArchiveFileKind archive_file_kind(const fs::path& path) {
  std::string name = path.filename().string();
  if (ends_with(name, kPartialSuffix)) return ArchiveFileKind::partial;
  if (ends_with(name, ".ckpt")) return ArchiveFileKind::checkpoint;
  return ArchiveFileKind::archive;
}

ArchiveMetadata read_archive_metadata(const fs::path& path, const MetadataParts& parts) {
  silence_hdf5_error_printing();
  try {
    Hdf5Handle file = open_archive_for_reading(path);
    hid_t root = file.get();
    ArchiveMetadata metadata;
    metadata.path = path;
    metadata.kind = archive_file_kind(path);
    metadata.attributes = read_attributes_as_text(root);
    if (has_link(root, kSpecDataset)) metadata.spec_yaml = read_string_dataset(root, kSpecDataset);
    if (has_link(root, kStructureGroup)) {
      Hdf5Handle structure = open_group(root, kStructureGroup);
      metadata.structure_metrics = graph_metrics(structure.get());
      if (parts.graphs) metadata.structure = read_stored_graph(structure.get());
    }
    if (has_link(root, kStagesGroup)) {
      Hdf5Handle stages = open_group(root, kStagesGroup);
      for (const std::string& name : child_names(stages.get())) {
        metadata.stages.push_back(read_stage_metadata(stages.get(), name, parts));
      }
      std::sort(metadata.stages.begin(), metadata.stages.end(),
                [](const StageMetadata& a, const StageMetadata& b) { return a.index < b.index; });
    }
    if (has_link(root, kHistoryDataset)) metadata.history = read_history_table(root);
    return metadata;
  } catch (const std::exception& e) {
    // anything, a failed allocation for a corrupt size included, is a problem with this file
    throw ArchiveError(fmt::format("archive {}: {}", path.string(), e.what()));
  }
}

}  // namespace structlab::archive
