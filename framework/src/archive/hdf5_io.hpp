#pragma once
// Small typed reads and writes of HDF5 attributes, groups and datasets for the run archive. Every function
// throws ArchiveError naming the object (e.g. "/stages/00/layers/fc1/weight") and what went wrong; the
// public archive functions add the file's path in front.

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "archive/hdf5_handle.hpp"

namespace structlab::archive::detail {

// ---- attributes -------------------------------------------------------------------------------------------

/// Writes (or replaces) a UTF-8 variable-length string attribute, which h5py reads back as `str`.
void write_string_attribute(hid_t object, const std::string& name, const std::string& value);
/// Writes (or replaces) a signed 64-bit integer attribute.
void write_int64_attribute(hid_t object, const std::string& name, std::int64_t value);
/// Writes (or replaces) an unsigned 64-bit integer attribute.
void write_uint64_attribute(hid_t object, const std::string& name, std::uint64_t value);
/// Writes (or replaces) a float64 attribute.
void write_double_attribute(hid_t object, const std::string& name, double value);
/// Writes (or replaces) a one-dimensional int64 array attribute (h5py: a NumPy array).
void write_int64_array_attribute(hid_t object, const std::string& name,
                                 const std::vector<std::int64_t>& values);

/// True when \p object has an attribute \p name.
bool has_attribute(hid_t object, const std::string& name);
/// Reads a string attribute (variable- or fixed-length); throws when it is missing or not a string.
std::string read_string_attribute(hid_t object, const std::string& name);
/// Reads an integer attribute; throws when it is missing or not an integer.
std::int64_t read_int64_attribute(hid_t object, const std::string& name);
/// Reads a one-dimensional integer array attribute; throws when it is missing or not integers.
std::vector<std::int64_t> read_int64_array_attribute(hid_t object, const std::string& name);
/// Every attribute of \p object, each as text (numbers in their shortest exact decimal form).
std::map<std::string, std::string> read_attributes_as_text(hid_t object);
/// Every floating-point attribute of \p object: the metrics of a structure or a stage.
std::map<std::string, double> read_float_attributes(hid_t object);

// ---- groups -----------------------------------------------------------------------------------------------

/// True when \p parent has a link \p name.
bool has_link(hid_t parent, const std::string& name);
/// Creates group \p name; with \p keep_creation_order its children list in the order they were written.
Hdf5Handle create_group(hid_t parent, const std::string& name, bool keep_creation_order);
/// Opens group \p name; throws naming it when missing.
Hdf5Handle open_group(hid_t parent, const std::string& name);
/// Names of the children of \p group, in creation order when the group tracks it, otherwise by name.
std::vector<std::string> child_names(hid_t group);

// ---- datasets ---------------------------------------------------------------------------------------------

/// How a dataset's bytes are laid out in the file.
struct DatasetStorage {
  int deflate_level = 0;              ///< 0 = no compression; 1..9 = zlib level
  std::size_t chunk_bytes = 1 << 20;  ///< target size of one chunk (HDF5's default chunk cache is 1 MiB)
};

/// Creates dataset \p name of \p dims elements of \p file_type and writes \p data (laid out as \p
/// memory_type, row-major). Non-empty datasets are chunked as \p storage says; empty ones are contiguous,
/// since HDF5 needs chunks of at least one element.
void write_dataset(hid_t parent, const std::string& name, hid_t file_type, hid_t memory_type,
                   const std::vector<hsize_t>& dims, const void* data, const DatasetStorage& storage);
/// Opens dataset \p name; throws naming it when missing.
Hdf5Handle open_dataset(hid_t parent, const std::string& name);
/// Dimensions of an open dataset.
std::vector<hsize_t> dataset_dims(hid_t dataset);
/// Reads the whole dataset into \p out, converted to \p memory_type; \p out must hold every element.
void read_whole_dataset(hid_t dataset, hid_t memory_type, void* out);

/// Writes a scalar UTF-8 variable-length string dataset (h5py: `f[name][()].decode()`).
void write_string_dataset(hid_t parent, const std::string& name, const std::string& value);
/// Reads a scalar string dataset.
std::string read_string_dataset(hid_t parent, const std::string& name);

}  // namespace structlab::archive::detail
