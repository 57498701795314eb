// Groups and datasets: chunking, compression and whole-dataset reads for the run archive.

#include <algorithm>

#include "archive/hdf5_io.hpp"
#include "structlab/error.hpp"

namespace structlab::archive::detail {
namespace {

std::string child_label(hid_t parent, const std::string& name) {
  std::string parent_path = object_path(parent);
  return parent_path == "/" ? "/" + name : parent_path + "/" + name;
}

herr_t collect_link_name(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* client_data) {
  static_cast<std::vector<std::string>*>(client_data)->push_back(name);
  return 0;
}

// Whole trailing dimensions first, then as many leading rows as fit: a chunk of a weight matrix is a band of
// complete rows, which is how rows are written and how h5py users usually slice.
std::vector<hsize_t> chunk_dims_for(const std::vector<hsize_t>& dims, std::size_t element_size,
                                    std::size_t target_bytes) {
  std::vector<hsize_t> chunk = dims;
  hsize_t bytes = element_size;
  for (hsize_t d : dims) bytes *= d;
  for (std::size_t i = 0; i < chunk.size() && bytes > target_bytes; ++i) {
    hsize_t slice_bytes = bytes / chunk[i];
    chunk[i] = std::max<hsize_t>(1, target_bytes / slice_bytes);
    bytes = slice_bytes * chunk[i];
  }
  return chunk;
}

}  // namespace

bool has_link(hid_t parent, const std::string& name) {
  htri_t exists = H5Lexists(parent, name.c_str(), H5P_DEFAULT);
  if (exists < 0) throw_hdf5_failure("looking up " + child_label(parent, name));
  return exists > 0;
}

Hdf5Handle create_group(hid_t parent, const std::string& name, bool keep_creation_order) {
  std::string label = child_label(parent, name);
  if (has_link(parent, name)) throw ArchiveError(label + " already exists");
  Hdf5Handle properties = checked(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, "creating " + label);
  if (keep_creation_order) {
    check(H5Pset_link_creation_order(properties.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
          "creating " + label);
  }
  return checked(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, properties.get(), H5P_DEFAULT), H5Gclose,
                 "creating group " + label);
}

Hdf5Handle open_group(hid_t parent, const std::string& name) {
  std::string label = child_label(parent, name);
  if (!has_link(parent, name)) throw ArchiveError("group " + label + " is missing");
  return checked(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose, "opening group " + label);
}

std::vector<std::string> child_names(hid_t group) {
  std::string label = object_path(group);
  Hdf5Handle properties = checked(H5Gget_create_plist(group), H5Pclose, "reading group " + label);
  unsigned order_flags = 0;
  check(H5Pget_link_creation_order(properties.get(), &order_flags), "reading group " + label);
  H5_index_t index = (order_flags & H5P_CRT_ORDER_INDEXED) != 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
  std::vector<std::string> names;
  check(H5Literate(group, index, H5_ITER_INC, nullptr, collect_link_name, &names), "listing group " + label);
  return names;
}

void write_dataset(hid_t parent, const std::string& name, hid_t file_type, hid_t memory_type,
                   const std::vector<hsize_t>& dims, const void* data, const DatasetStorage& storage) {
  std::string label = "dataset " + child_label(parent, name);
  if (has_link(parent, name)) throw ArchiveError(label + " already exists");
  Hdf5Handle space =
      checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose, label);
  Hdf5Handle properties = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, label);
  bool empty = std::any_of(dims.begin(), dims.end(), [](hsize_t d) { return d == 0; });
  if (!empty && !dims.empty()) {
    std::vector<hsize_t> chunk = chunk_dims_for(dims, H5Tget_size(memory_type), storage.chunk_bytes);
    check(H5Pset_chunk(properties.get(), static_cast<int>(chunk.size()), chunk.data()), label);
    if (storage.deflate_level > 0) {
      check(H5Pset_deflate(properties.get(), static_cast<unsigned>(storage.deflate_level)), label);
    }
  }
  Hdf5Handle dataset = checked(
      H5Dcreate2(parent, name.c_str(), file_type, space.get(), H5P_DEFAULT, properties.get(), H5P_DEFAULT),
      H5Dclose, "creating " + label);
  if (!empty)
    check(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "writing " + label);
  dataset.close("writing " + label);
}

Hdf5Handle open_dataset(hid_t parent, const std::string& name) {
  std::string label = "dataset " + child_label(parent, name);
  if (!has_link(parent, name)) throw ArchiveError(label + " is missing");
  return checked(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "opening " + label);
}

std::vector<hsize_t> dataset_dims(hid_t dataset) {
  std::string label = "dataset " + object_path(dataset);
  Hdf5Handle space = checked(H5Dget_space(dataset), H5Sclose, label);
  int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw_hdf5_failure(label);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), label);
  return dims;
}

void read_whole_dataset(hid_t dataset, hid_t memory_type, void* out) {
  std::vector<hsize_t> dims = dataset_dims(dataset);
  if (std::any_of(dims.begin(), dims.end(), [](hsize_t d) { return d == 0; })) return;
  check(H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out),
        "reading dataset " + object_path(dataset));
}

void write_string_dataset(hid_t parent, const std::string& name, const std::string& value) {
  std::string label = "dataset " + child_label(parent, name);
  if (has_link(parent, name)) throw ArchiveError(label + " already exists");
  Hdf5Handle type = checked(H5Tcopy(H5T_C_S1), H5Tclose, label);
  check(H5Tset_size(type.get(), H5T_VARIABLE), label);
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), label);
  Hdf5Handle space = checked(H5Screate(H5S_SCALAR), H5Sclose, label);
  Hdf5Handle dataset = checked(
      H5Dcreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose, "creating " + label);
  const char* text = value.c_str();
  check(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), "writing " + label);
  dataset.close("writing " + label);
}

std::string read_string_dataset(hid_t parent, const std::string& name) {
  Hdf5Handle dataset = open_dataset(parent, name);
  std::string label = "dataset " + object_path(dataset.get());
  Hdf5Handle file_type = checked(H5Dget_type(dataset.get()), H5Tclose, label);
  if (H5Tget_class(file_type.get()) != H5T_STRING || H5Tis_variable_str(file_type.get()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw ArchiveError(label + " is not a variable-length string");
  }
  Hdf5Handle space = checked(H5Dget_space(dataset.get()), H5Sclose, label);
  if (H5Sget_simple_extent_npoints(space.get()) != 1) throw ArchiveError(label + " is not a single string");
  // read with the file's own character set: HDF5 does not convert between ASCII and UTF-8 strings
  Hdf5Handle memory_type = checked(H5Tcopy(file_type.get()), H5Tclose, label);
  char* text = nullptr;
  check(H5Dread(dataset.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), "reading " + label);
  std::string value = text != nullptr ? text : "";
  H5free_memory(text);
  return value;
}

}  // namespace structlab::archive::detail
