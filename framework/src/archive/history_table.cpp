#include "archive/history_table.hpp"

#include <cstddef>

#include "archive/archive_layout.hpp"
#include "archive/hdf5_io.hpp"
#include "structlab/error.hpp"

namespace structlab::archive::detail {
namespace {

// HistoryRow as it sits in memory; HDF5 matches fields by name when reading, so the file's column order
// and any extra columns written by a later version do not matter.
Hdf5Handle history_memory_type() {
  Hdf5Handle type = checked(H5Tcreate(H5T_COMPOUND, sizeof(HistoryRow)), H5Tclose, "history row type");
  struct Field {
    const char* name;
    std::size_t offset;
    hid_t type;
  };
  const Field fields[] = {
      {"stage", offsetof(HistoryRow, stage), H5T_NATIVE_INT64},
      {"epoch", offsetof(HistoryRow, epoch), H5T_NATIVE_INT64},
      {"train_loss", offsetof(HistoryRow, train_loss), H5T_NATIVE_DOUBLE},
      {"train_accuracy", offsetof(HistoryRow, train_accuracy), H5T_NATIVE_DOUBLE},
      {"test_loss", offsetof(HistoryRow, test_loss), H5T_NATIVE_DOUBLE},
      {"test_accuracy", offsetof(HistoryRow, test_accuracy), H5T_NATIVE_DOUBLE},
      {"learning_rate", offsetof(HistoryRow, learning_rate), H5T_NATIVE_DOUBLE},
      {"seconds", offsetof(HistoryRow, seconds), H5T_NATIVE_DOUBLE},
      {"active_weights", offsetof(HistoryRow, active_weights), H5T_NATIVE_INT64},
  };
  for (const Field& field : fields) {
    check(H5Tinsert(type.get(), field.name, field.offset, field.type), "history row type");
  }
  return type;
}

}  // namespace

Hdf5Handle create_history_table(hid_t parent) {
  const std::string label = "dataset /history";
  Hdf5Handle memory_type = history_memory_type();
  // the file type is the packed form of the memory layout: no padding bytes on disk
  Hdf5Handle file_type = checked(H5Tcopy(memory_type.get()), H5Tclose, label);
  check(H5Tpack(file_type.get()), label);
  hsize_t initial = 0;
  hsize_t unlimited = H5S_UNLIMITED;
  Hdf5Handle space = checked(H5Screate_simple(1, &initial, &unlimited), H5Sclose, label);
  Hdf5Handle properties = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, label);
  hsize_t chunk_rows = kHistoryChunkRows;
  check(H5Pset_chunk(properties.get(), 1, &chunk_rows), label);
  check(H5Pset_deflate(properties.get(), static_cast<unsigned>(kCompactStorage.deflate_level)), label);
  return checked(H5Dcreate2(parent, kHistoryDataset, file_type.get(), space.get(), H5P_DEFAULT,
                            properties.get(), H5P_DEFAULT),
                 H5Dclose, "creating " + label);
}

void append_history_row(hid_t history, const HistoryRow& row) {
  const std::string label = "appending to dataset /history";
  hsize_t rows = dataset_dims(history).at(0);
  hsize_t new_size = rows + 1;
  check(H5Dset_extent(history, &new_size), label);
  Hdf5Handle file_space = checked(H5Dget_space(history), H5Sclose, label);
  hsize_t one = 1;
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &rows, nullptr, &one, nullptr), label);
  Hdf5Handle memory_space = checked(H5Screate_simple(1, &one, nullptr), H5Sclose, label);
  Hdf5Handle memory_type = history_memory_type();
  check(H5Dwrite(history, memory_type.get(), memory_space.get(), file_space.get(), H5P_DEFAULT, &row), label);
}

std::vector<HistoryRow> read_history_table(hid_t parent) {
  Hdf5Handle history = open_dataset(parent, kHistoryDataset);
  std::vector<hsize_t> dims = dataset_dims(history.get());
  if (dims.size() != 1) throw ArchiveError("dataset /history is not a one-dimensional table");
  std::vector<HistoryRow> rows(dims[0]);
  Hdf5Handle memory_type = history_memory_type();
  read_whole_dataset(history.get(), memory_type.get(), rows.data());
  return rows;
}

}  // namespace structlab::archive::detail
