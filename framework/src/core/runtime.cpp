#include "structlab/runtime.hpp"

#include <malloc.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include "core/host_clock.hpp"
#include "structlab/error.hpp"
#include "structlab/version.hpp"

namespace structlab {
namespace {

constexpr int kMmapThreshold = 32 << 20;  // glibc's largest allowed value
constexpr int kTrimThreshold = 1 << 30;
bool freed_memory_retained = false;
constexpr int kThreadsPerCore = 4;

// The BLAS in use is whatever libblas the dynamic linker mapped (Debian switches it with alternatives).
std::string mapped_blas_path() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    std::string file = path.substr(path.rfind('/') + 1);
    if (file.find("blas") != std::string::npos || file.find("mkl_core") != std::string::npos) return path;
  }
  return "";
}

std::string blas_name(const std::string& path) {
  if (path.empty()) return "none mapped";
  if (path.find("openblas") != std::string::npos) {
    if (path.find("openmp") != std::string::npos) return "OpenBLAS (openmp)";
    if (path.find("pthread") != std::string::npos) return "OpenBLAS (pthread)";
    return "OpenBLAS";
  }
  if (path.find("blis") != std::string::npos) return "BLIS";
  if (path.find("mkl") != std::string::npos) return "Intel MKL";
  if (path.find("atlas") != std::string::npos) return "ATLAS";
  return "reference BLAS (slow: install libopenblas0-openmp)";
}

}  // namespace

RuntimeInfo runtime_info() {
  RuntimeInfo info;
  info.structlab_version = STRUCTLAB_VERSION;
  info.plugin_api_version = STRUCTLAB_PLUGIN_API_VERSION;
  info.torch_version = torch_version();
  info.blas_path = mapped_blas_path();
  info.blas = blas_name(info.blas_path);
  info.threads = torch::get_num_threads();
  info.cores = static_cast<int>(std::thread::hardware_concurrency());
  info.host = detail::host_name();
  info.allocator = freed_memory_retained
                       ? "glibc malloc, keeps freed memory (mmap threshold 32 MiB, trim 1 GiB)"
                       : "glibc malloc, default thresholds";
  return info;
}

bool retain_freed_memory() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables != nullptr && std::strstr(tunables, "malloc") != nullptr) return false;
  freed_memory_retained =
      mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1;
  return freed_memory_retained;
}

int max_threads() { return kThreadsPerCore * static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

int set_threads(int requested) {
  if (requested < 0)
    throw ConfigError("threads: expected 0 (all cores) or a positive count, got " +
                      std::to_string(requested));
  // more threads than a few per core only contend (and 1000 OpenMP threads take minutes to start)
  int threads = requested == 0 ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))
                               : std::min(requested, max_threads());
  torch::set_num_threads(threads);
  return threads;
}

}  // namespace structlab
