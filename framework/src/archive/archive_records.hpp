#pragma once
// Reading and writing the archive's building blocks inside an open HDF5 group: a graph with its metrics and
// one masked layer. Throw ArchiveError naming the group or dataset.

#include <hdf5.h>

#include <map>
#include <string>

#include "structlab/archive/run_archive.hpp"

namespace structlab::archive::detail {

/// Writes `edges` (E x 2 int64), `layer` (int32 per vertex) and attributes num_vertices + \p metrics into
/// \p group. The caller checks first that no metric is named num_vertices and that the graph has no cycle.
void write_graph(hid_t group, const graph::LayeredGraph& structure,
                 const std::map<std::string, double>& metrics);

/// Reads the graph written by write_graph() from \p group.
graph::LayeredGraph read_graph(hid_t group);

/// Throws ArchiveError naming \p layer when it cannot be written: an empty or unusable name, a weight that is
/// undefined, empty-ranked or not floating point, a mask of another shape, a bias that is not floating point.
void validate_layer(const LayerRecord& layer);

/// Writes one validated layer as group \p layer.name under \p layers_group: weight, bias (when defined), mask
/// and attributes source_layer, target_layer, active, total.
void write_layer(hid_t layers_group, const LayerRecord& layer);

/// Reads layer \p name from \p layers_group; with \p with_weights false, weight and bias stay undefined.
LayerRecord read_layer(hid_t layers_group, const std::string& name, bool with_weights);

/// Throws ArchiveError when a name cannot be a dataset name or a tensor's dtype cannot be archived.
void validate_named_tensors(const std::map<std::string, torch::Tensor>& tensors);
/// Writes each tensor as a dataset named by its key under \p group, with its dtype as attribute (float32,
/// float64, int64, int32, uint8, bool stored as uint8), 0-dim tensors as one element marked scalar.
void write_named_tensors(hid_t group, const std::map<std::string, torch::Tensor>& tensors);
/// Reads back what write_named_tensors() wrote.
std::map<std::string, torch::Tensor> read_named_tensors(hid_t group);

}  // namespace structlab::archive::detail
