#include "structlab/nn/sparse_kernels.hpp"

#include <stdexcept>

#include "nn/sparse_kernel.hpp"

namespace structlab::nn {
namespace {

thread_local SparseKernels current_mode = SparseKernels::automatic;

// The rule of `auto`. structlab-bench --group sparse measured on this project's 2-core machine (AVX-512) that
// one 1000×1000 layer's forward + backward at batch 128 is faster on the sparse path up to a density of 0.50 and
// slower from 0.55 (1 thread) or 0.60 (2 threads) on; this threshold stays below that, so that `auto` is never
// slower than dense on machines with narrower vectors or other shapes.
constexpr double kCrossoverDensity = 0.4;
// Layers smaller than this stay dense: there is too little work for the index lists to pay.
constexpr std::int64_t kMinimumWeights = 4096;

}  // namespace

std::string to_string(SparseKernels mode) {
  switch (mode) {
    case SparseKernels::automatic:
      return "auto";
    case SparseKernels::on:
      return "on";
    case SparseKernels::off:
      return "off";
  }
  return "auto";
}

SparseKernels sparse_kernels_from_string(const std::string& text) {
  if (text == "auto") return SparseKernels::automatic;
  if (text == "on") return SparseKernels::on;
  if (text == "off") return SparseKernels::off;
  throw std::invalid_argument("sparse kernels: \"" + text + "\" is not one of auto, on, off");
}

SparseKernels sparse_kernels() { return current_mode; }

SparseKernelsScope::SparseKernelsScope(SparseKernels mode) : previous_(current_mode) { current_mode = mode; }

SparseKernelsScope::~SparseKernelsScope() { current_mode = previous_; }

bool sparse_path_pays(std::int64_t rows, std::int64_t cols, std::int64_t active, std::int64_t batch) {
  const std::int64_t weights = rows * cols;
  if (weights < kMinimumWeights || batch <= 0) return false;
  return static_cast<double>(active) <= kCrossoverDensity * static_cast<double>(weights);
}

double sparse_crossover_density() { return kCrossoverDensity; }

std::string sparse_kernel_isa() { return detail::cpu_kernel_isa(); }

}  // namespace structlab::nn
