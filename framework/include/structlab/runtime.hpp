#pragma once
/// \file
/// What this process runs on: versions, BLAS, threads.

#include <string>

namespace structlab {

/// Facts about the running structlab, for `structlab version` and run archives.
struct RuntimeInfo {
  std::string structlab_version;  ///< e.g. "0.1.0"
  int plugin_api_version = 0;     ///< STRUCTLAB_PLUGIN_API_VERSION
  std::string torch_version;      ///< LibTorch version built against
  std::string blas;               ///< BLAS library actually mapped into the process, e.g. "OpenBLAS (openmp)"
  std::string blas_path;          ///< its file
  int threads = 0;                ///< LibTorch intra-op threads now
  int cores = 0;                  ///< hardware threads of the machine
  std::string host;               ///< host name
  std::string allocator;          ///< how the C heap treats freed memory (see retain_freed_memory)
};

/// Reads the runtime facts.
RuntimeInfo runtime_info();

/// Makes glibc's heap keep memory that tensors free instead of handing it back to the system at once
/// (mmap threshold 32 MiB, trim threshold 1 GiB), so that the same-sized temporaries a training step
/// allocates every step reuse warm pages instead of page-faulting fresh ones (a masked 1000x1000 multiply:
/// 3.3 ms -> 0.45 ms). Leaves the heap alone when GLIBC_TUNABLES sets malloc options. The `structlab`
/// program and structlab-bench call it first; a program embedding structlab may. Returns whether the
/// settings were applied.
bool retain_freed_memory();

/// The most threads set_threads() sets: 4 per hardware thread of this machine.
int max_threads();

/// Sets LibTorch's intra-op threads; 0 means all cores, more than max_threads() means max_threads().
/// Returns the number set. Throws ConfigError for a negative count.
int set_threads(int requested);

}  // namespace structlab
