#pragma once
// Comparing two run archives for the things a reproducible run must repeat exactly.

#include <string>

#include "structlab/archive/run_archive.hpp"

namespace structlab::testing {

/// The first difference between two archives' stages (weights, biases, masks, other parameters and buffers,
/// metrics, structures) and histories (every column but the wall time), or "" when there is none.
std::string first_difference(const archive::ArchiveSummary& expected, const archive::ArchiveSummary& actual);

}  // namespace structlab::testing
