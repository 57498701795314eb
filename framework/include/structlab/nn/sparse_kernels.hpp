#pragma once
/// \file
/// Which kernel a masked layer computes with: the dense masked path (linear(x, weight * mask)) or the sparse
/// path, which visits only the active weights (forward, gradient to the input, and the weight gradient at
/// active positions only). The choice is per thread, set by a scope; results agree within float tolerance.

#include <cstdint>
#include <string>

namespace structlab::nn {

/// How masked layers choose their kernel.
enum class SparseKernels {
  automatic,  ///< the sparse path when the layer's density and shape make it faster (sparse_path_pays)
  on,         ///< the sparse path wherever it applies (CPU, float32), whatever the density
  off,        ///< always the dense masked path
};

/// "auto", "on" or "off".
std::string to_string(SparseKernels mode);
/// The mode named "auto", "on" or "off"; throws std::invalid_argument naming the text otherwise.
SparseKernels sparse_kernels_from_string(const std::string& text);

/// The mode in force on this thread: the innermost SparseKernelsScope's, automatic when there is none.
SparseKernels sparse_kernels();

/// Sets this thread's mode for its lifetime and restores the previous one after.
class SparseKernelsScope {
 public:
  /// Makes \p mode this thread's mode.
  explicit SparseKernelsScope(SparseKernels mode);
  /// Restores the mode that was in force before.
  ~SparseKernelsScope();
  SparseKernelsScope(const SparseKernelsScope&) = delete;             ///< not copyable
  SparseKernelsScope& operator=(const SparseKernelsScope&) = delete;  ///< not assignable

 private:
  SparseKernels previous_;
};

/// The rule of SparseKernels::automatic: whether a [rows, cols] layer with \p active weights is faster on the
/// sparse path for a batch of \p batch rows. A density threshold measured on the dense and sparse steps
/// (structlab-bench --group sparse); deterministic, so a run makes the same choice every time.
bool sparse_path_pays(std::int64_t rows, std::int64_t cols, std::int64_t active, std::int64_t batch);

/// The density at or below which sparse_path_pays says yes for a layer of at least the minimum size.
double sparse_crossover_density();

/// The instruction set the sparse kernels run with on this CPU ("avx512", "avx2" or "x86-64"), chosen at run
/// time: the build targets generic x86-64.
std::string sparse_kernel_isa();

}  // namespace structlab::nn
