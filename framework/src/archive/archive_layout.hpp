#pragma once
// Names and storage choices of the run archive layout, in one place for the writer, the reader and the docs.

#include <fmt/format.h>

#include <cstdint>
#include <string>

#include "archive/hdf5_io.hpp"

namespace structlab::archive::detail {

/// Version of the layout; a reader refuses files written with a newer one.
inline constexpr std::int64_t kArchiveFormatVersion = 1;

// root attributes
inline constexpr const char* kFormatAttribute = "archive_format";
inline constexpr const char* kStatusAttribute = "status";
inline constexpr const char* kMessageAttribute = "message";
inline constexpr const char* kEndTimeAttribute = "end_time";

// groups and datasets
inline constexpr const char* kSpecDataset = "spec";
inline constexpr const char* kStructureGroup = "structure";
inline constexpr const char* kStagesGroup = "stages";
/// Mask snapshots taken during a stage (dynamic sparse training): `/snapshots/<stage>-<label>`, laid out as a stage.
inline constexpr const char* kSnapshotsGroup = "snapshots";
inline constexpr const char* kLayersGroup = "layers";
inline constexpr const char* kHistoryDataset = "history";
inline constexpr const char* kEdgesDataset = "edges";
inline constexpr const char* kLayerPerVertexDataset = "layer";
inline constexpr const char* kWeightDataset = "weight";
inline constexpr const char* kBiasDataset = "bias";
inline constexpr const char* kMaskDataset = "mask";
inline constexpr const char* kMaskShapeAttribute = "shape";
inline constexpr const char* kNumVerticesAttribute = "num_vertices";
inline constexpr const char* kDescriptionAttribute = "description";
inline constexpr const char* kSeriesAttribute = "series";
inline constexpr const char* kParametersGroup = "parameters";
inline constexpr const char* kCheckpointGroup = "checkpoint";
inline constexpr const char* kDtypeAttribute = "dtype";
inline constexpr const char* kScalarAttribute = "scalar";
inline constexpr const char* kWeightNameAttribute = "weight_parameter";
inline constexpr const char* kBiasNameAttribute = "bias_parameter";
inline constexpr const char* kMaskNameAttribute = "mask_buffer";

/// Suffix of the file a run writes before it is renamed into place.
inline constexpr const char* kPartialSuffix = ".partial";

/// Trained float weights are close to incompressible (deflate saves under 10 % of their bytes and runs at a
/// tenth of the disk's speed), so weights and biases are chunked but stored raw. Chunks of 4 MiB exceed
/// HDF5's default 1 MiB chunk cache, so HDF5 writes them straight from the tensor instead of copying them
/// through its cache.
inline const DatasetStorage kWeightStorage{0, std::size_t{4} << 20};
/// Graph arrays and the history are small integers and repeated values: deflate shrinks them several times
/// over, and its fastest level already gets most of that.
inline const DatasetStorage kCompactStorage{1, std::size_t{1} << 20};
/// Masks are bit-packed (mask_bits.hpp): one bit per weight, 1/32 of the weights' bytes. Deflate on top was
/// measured (bench_archive.cpp) to halve the archive's write speed on unstructured masks for a gain of at
/// most 1/32 of the file, so packed masks are stored raw.
inline const DatasetStorage kMaskStorage{0, std::size_t{1} << 20};
/// Rows per chunk of the extendible /history table.
inline constexpr std::uint64_t kHistoryChunkRows = 256;

/// Group name of stage \p index: two digits at least ("00", "01", ..., "100").
inline std::string stage_group_name(std::int64_t index) { return fmt::format("{:02d}", index); }

/// Attribute name of one field of one plugin, e.g. "plugin.model.version".
inline std::string plugin_attribute(const std::string& role, const char* field) {
  return fmt::format("plugin.{}.{}", role, field);
}

}  // namespace structlab::archive::detail
