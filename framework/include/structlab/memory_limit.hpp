#pragma once
/// \file
/// Refusing, before allocating, work whose size comes from input and would not fit in memory: a generator's
/// parameters or a graph file's vertex ids are checked against this machine's memory, so the user reads what
/// it would need instead of `std::bad_alloc`.

#include <cstdint>
#include <optional>
#include <string>

namespace structlab {

/// Physical memory of this machine in bytes (sysconf); 0 when it cannot be told.
std::uint64_t physical_memory_bytes();

/// `bytes` as a short human-readable size ("512 B", "3.4 MB", "4.0 TB").
std::string format_bytes(double bytes);

/// Why `bytes` of memory for `what` (e.g. "2.5e+11 edges") cannot be had here, or nothing when it fits.
/// It fits when it is at most the physical memory (or 1 TiB where the memory cannot be told); the message
/// reads "needs about 4.0 TB of memory for 2.5e+11 edges; this machine has 15.6 GB". Never throws.
std::optional<std::string> memory_refusal(double bytes, const std::string& what);

}  // namespace structlab
