#pragma once
// The loops of the sparse MaskedLinear path: a mask's active entries as index lists, and the forward, input
// gradient and weight gradient computed over those entries only. Plain C++ on raw float pointers (no torch
// here, so this file compiles in a second). Each function splits its rows (or columns) among up to `threads`
// OpenMP threads by their share of the active entries; every output row is computed by one thread in one
// order, so results do not depend on the thread count. Activations are kept
// transposed, [features, batch], so that every inner loop runs along the batch, contiguous and vectorised.

#include <cstdint>
#include <string>
#include <vector>

namespace structlab::nn::detail {

/// The active entries of a [rows, cols] bool mask, listed by row (CSR order) and by column (CSC order).
struct SparsePattern {
  std::int64_t rows = 0;                  ///< mask rows (out_features)
  std::int64_t cols = 0;                  ///< mask columns (in_features)
  std::vector<std::int32_t> row_start;    ///< row r's entries are row_cols[row_start[r] .. row_start[r+1])
  std::vector<std::int32_t> row_cols;     ///< column of each active entry, by row
  std::vector<std::int32_t> col_start;    ///< column c's entries are col_rows[col_start[c] .. col_start[c+1])
  std::vector<std::int32_t> col_rows;     ///< row of each active entry, by column

  /// The pattern of a row-major mask of \p rows × \p cols bytes (nonzero = active).
  static SparsePattern of_mask(const bool* mask, std::int64_t rows, std::int64_t cols);
  /// Number of active entries.
  std::int64_t active() const { return static_cast<std::int64_t>(row_cols.size()); }
};

/// yT[r, :] = bias[r] + Σ weight[r, c] · xT[c, :] over the active entries of every row. \p weight is the dense
/// row-major [rows, cols] weight; \p bias may be null; xT is [cols, batch], yT [rows, batch], both contiguous.
/// With \p accumulate the result is added to what yT holds.
void sparse_forward(const SparsePattern& pattern, const float* weight, const float* bias, const float* xT,
                    float* yT, std::int64_t batch, int threads, bool accumulate = false);

/// gxT[c, :] = Σ weight[r, c] · gyT[r, :] over the active entries of every column: the gradient with respect to
/// the input, transposed. gyT is [rows, batch], gxT [cols, batch]. With \p accumulate the result is added to
/// what gxT holds.
void sparse_input_grad(const SparsePattern& pattern, const float* weight, const float* gyT, float* gxT,
                       std::int64_t batch, int threads, bool accumulate = false);

/// grad_weight[r, c] = gyT[r, :] · xT[c, :] at the active entries; the other entries of \p grad_weight (dense,
/// row-major [rows, cols]) are left as they are.
void sparse_weight_grad(const SparsePattern& pattern, const float* gyT, const float* xT, float* grad_weight,
                        std::int64_t batch, int threads);

/// The instruction set the loops above run with on this CPU: "avx512", "avx2" or "x86-64" (chosen at run time).
std::string cpu_kernel_isa();

}  // namespace structlab::nn::detail
