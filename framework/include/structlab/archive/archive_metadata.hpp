#pragma once
/// \file
/// What `structlab collect` and `structlab report` read from a run archive: attributes, the spec, the history
/// and the metrics of the structure and of each stage, never the weight datasets. Layout: README.md, "Run
/// archives". Also reads `<run-id>.h5.partial` files and `<run-id>.ckpt` checkpoints (the same layout), which
/// may lack pieces a finished archive has.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "structlab/archive/run_archive.hpp"

namespace structlab::archive {

/// Where an archive-like file comes from, told by its name.
enum class ArchiveFileKind {
  archive,     ///< `<run-id>.h5` (any other name too): a finished run, status from its root attribute
  partial,     ///< `<run-id>.h5.partial`: a run still being written, or killed before it finished
  checkpoint,  ///< `<run-id>.ckpt`: a checkpoint of a run that has not finished
};

/// The kind of file \p path names, from its suffix.
ArchiveFileKind archive_file_kind(const std::filesystem::path& path);

/// The counts of one masked layer of a stage (its group's attributes; no tensor is read).
struct LayerCounts {
  std::string name;               ///< masked layer name
  std::int64_t source_layer = 0;  ///< structure layer feeding it (-1 = input)
  std::int64_t target_layer = 0;  ///< structure layer it feeds (number of layers = output)
  std::int64_t active = 0;        ///< active weights
  std::int64_t total = 0;         ///< all weights
};

/// A graph as stored: vertex count, edges and the layer of each vertex (for drawings).
struct StoredGraph {
  std::int64_t num_vertices = 0;                             ///< vertices
  std::vector<std::pair<std::int64_t, std::int64_t>> edges;  ///< (source, target), as stored
  std::vector<std::int32_t> layer_of_vertex;                 ///< layer of each vertex
};

/// One stage's attributes.
struct StageMetadata {
  std::int64_t index = 0;                           ///< stage number (00 = trained)
  std::string description;                          ///< e.g. "pruned level 1 (magnitude_global)"
  std::string series;  ///< "ticket", "reinit", "random_masks" for lottery-ticket controls; empty otherwise
  std::map<std::string, double> metrics;            ///< test_accuracy, density, active_weights, ...
  std::map<std::string, double> structure_metrics;  ///< metrics of the regenerated structure (+ num_vertices)
  std::vector<LayerCounts> layers;                  ///< per-layer counts, when asked for
  StoredGraph structure;                            ///< the regenerated structure, when asked for
};

/// Which optional pieces read_archive_metadata() reads.
struct MetadataParts {
  bool layer_counts = false;  ///< per-layer active/total of each stage (one group per layer)
  bool graphs = false;        ///< edge lists of the run's structure and of each stage's structure
};

/// What read_archive_metadata() returns.
struct ArchiveMetadata {
  std::filesystem::path path;                       ///< the file read
  ArchiveFileKind kind = ArchiveFileKind::archive;  ///< from the file name
  std::map<std::string, std::string> attributes;    ///< root attributes as text (numbers in decimal)
  std::string spec_yaml;                            ///< `/spec`; empty when the file has none yet
  std::map<std::string, double>
      structure_metrics;              ///< `/structure` metrics (+ num_vertices); empty without one
  StoredGraph structure;              ///< `/structure`, when graphs were asked for
  std::vector<StageMetadata> stages;  ///< in index order
  std::vector<HistoryRow> history;    ///< the history table; empty when the file has none yet
};

/// Reads the metadata of the archive at \p path: root attributes, `/spec`, `/history`, the metric attributes
/// of
/// `/structure` and every `/stages/NN` (and, as \p parts says, layer counts and edge lists). Never reads
/// weights, biases, masks or any other group (a stage's `parameters`, a checkpoint's `/checkpoint`). Missing
/// `/spec`,
/// `/structure`, `/stages` or `/history` are allowed (a partial file may lack them). Throws ArchiveError
/// naming the path when the file is not HDF5, not a structlab archive (no `archive_format` attribute),
/// written by a newer format, or corrupt.
ArchiveMetadata read_archive_metadata(const std::filesystem::path& path, const MetadataParts& parts = {});

}  // namespace structlab::archive
