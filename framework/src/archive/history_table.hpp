#pragma once
// `/history`: an extendible, chunked, compressed table (HDF5 compound dataset) with one row per epoch.
// h5py reads it as a NumPy structured array: `f["history"]["test_accuracy"]`.

#include <hdf5.h>

#include <vector>

#include "archive/hdf5_handle.hpp"
#include "structlab/archive/run_archive.hpp"

namespace structlab::archive::detail {

/// Creates the empty table under \p parent and returns the open dataset.
Hdf5Handle create_history_table(hid_t parent);

/// Appends \p row to the open table \p history.
void append_history_row(hid_t history, const HistoryRow& row);

/// Reads every row of the table under \p parent; throws ArchiveError naming the table when a field is
/// missing.
std::vector<HistoryRow> read_history_table(hid_t parent);

}  // namespace structlab::archive::detail
