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
};

/// Reads the runtime facts.
RuntimeInfo runtime_info();

/// Sets LibTorch's intra-op threads; 0 means all cores. Returns the number set.
/// Throws ConfigError for a negative count.
int set_threads(int requested);

}  // namespace structlab
