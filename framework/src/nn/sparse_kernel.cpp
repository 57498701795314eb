#include "nn/sparse_kernel.hpp"

#include <algorithm>

// The build targets generic x86-64; each kernel is also compiled for x86-64-v3 (AVX2, FMA) and x86-64-v4
// (AVX-512), and the dynamic loader picks the best the CPU has (GCC function multi-versioning).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define STRUCTLAB_CPU_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define STRUCTLAB_CPU_CLONES
#endif

namespace structlab::nn::detail {
namespace {

// Sixteen floats, loaded from and stored to any float-aligned address. With AVX-512 one register, with AVX2
// two, on baseline x86-64 four: the compiler lowers the operations to what the clone's target has.
typedef float Vec __attribute__((vector_size(64), aligned(4)));
constexpr std::int64_t kLanes = 16;
// The batch is walked in tiles of four vectors held in registers while every entry of a row is added in, so
// the output row is read and written once per tile instead of once per entry.
constexpr std::int64_t kTile = 4 * kLanes;

#define STRUCTLAB_LOAD(v, p) __builtin_memcpy(&(v), (p), sizeof(Vec))
#define STRUCTLAB_STORE(p, v) __builtin_memcpy((p), &(v), sizeof(Vec))

// out[b] = init + Σ_{k in [first, last)} value_of(k) · source(k)[b] for b in [0, batch), where source(k) is row
// indices[k] of \p base ([*, batch], row-major); with \p accumulate, out[b] is added to as well. Each output
// element sums its terms in the order of k.
template <typename ValueOf>
__attribute__((always_inline)) inline void gather_rows(float* out, float init, const float* base, const std::int32_t* indices, std::int32_t first,
                        std::int32_t last, std::int64_t batch, bool accumulate, ValueOf value_of) {
  std::int64_t b = 0;
  for (; b + kTile <= batch; b += kTile) {
    Vec a0 = Vec{} + init, a1 = a0, a2 = a0, a3 = a0;
    if (accumulate) {
      Vec o0, o1, o2, o3;
      STRUCTLAB_LOAD(o0, out + b);
      STRUCTLAB_LOAD(o1, out + b + kLanes);
      STRUCTLAB_LOAD(o2, out + b + 2 * kLanes);
      STRUCTLAB_LOAD(o3, out + b + 3 * kLanes);
      a0 += o0;
      a1 += o1;
      a2 += o2;
      a3 += o3;
    }
    for (std::int32_t k = first; k < last; ++k) {
      const float w = value_of(k);
      const float* x = base + static_cast<std::int64_t>(indices[k]) * batch + b;
      Vec x0, x1, x2, x3;
      STRUCTLAB_LOAD(x0, x);
      STRUCTLAB_LOAD(x1, x + kLanes);
      STRUCTLAB_LOAD(x2, x + 2 * kLanes);
      STRUCTLAB_LOAD(x3, x + 3 * kLanes);
      a0 += w * x0;
      a1 += w * x1;
      a2 += w * x2;
      a3 += w * x3;
    }
    STRUCTLAB_STORE(out + b, a0);
    STRUCTLAB_STORE(out + b + kLanes, a1);
    STRUCTLAB_STORE(out + b + 2 * kLanes, a2);
    STRUCTLAB_STORE(out + b + 3 * kLanes, a3);
  }
  for (; b + kLanes <= batch; b += kLanes) {
    Vec a = Vec{} + init;
    if (accumulate) {
      Vec o;
      STRUCTLAB_LOAD(o, out + b);
      a += o;
    }
    for (std::int32_t k = first; k < last; ++k) {
      Vec x;
      STRUCTLAB_LOAD(x, base + static_cast<std::int64_t>(indices[k]) * batch + b);
      a += value_of(k) * x;
    }
    STRUCTLAB_STORE(out + b, a);
  }
  for (; b < batch; ++b) {
    float a = accumulate ? init + out[b] : init;
    for (std::int32_t k = first; k < last; ++k) a += value_of(k) * base[static_cast<std::int64_t>(indices[k]) * batch + b];
    out[b] = a;
  }
}


// Σ_b a[b] · c[b], with four vector accumulators (enough independent sums to keep the multiply-adds busy) and
// one tree-shaped sum across lanes at the end.
__attribute__((always_inline)) inline float dot(const float* a, const float* c, std::int64_t n) {
  Vec s0 = Vec{}, s1 = Vec{}, s2 = Vec{}, s3 = Vec{};
  std::int64_t i = 0;
  for (; i + kTile <= n; i += kTile) {
    Vec a0, a1, a2, a3, c0, c1, c2, c3;
    STRUCTLAB_LOAD(a0, a + i);
    STRUCTLAB_LOAD(a1, a + i + kLanes);
    STRUCTLAB_LOAD(a2, a + i + 2 * kLanes);
    STRUCTLAB_LOAD(a3, a + i + 3 * kLanes);
    STRUCTLAB_LOAD(c0, c + i);
    STRUCTLAB_LOAD(c1, c + i + kLanes);
    STRUCTLAB_LOAD(c2, c + i + 2 * kLanes);
    STRUCTLAB_LOAD(c3, c + i + 3 * kLanes);
    s0 += a0 * c0;
    s1 += a1 * c1;
    s2 += a2 * c2;
    s3 += a3 * c3;
  }
  for (; i + kLanes <= n; i += kLanes) {
    Vec a0, c0;
    STRUCTLAB_LOAD(a0, a + i);
    STRUCTLAB_LOAD(c0, c + i);
    s0 += a0 * c0;
  }
  const Vec total = (s0 + s1) + (s2 + s3);
  typedef float Half __attribute__((vector_size(32), aligned(4)));
  typedef float Quarter __attribute__((vector_size(16), aligned(4)));
  Half low, high;
  __builtin_memcpy(&low, &total, sizeof(Half));
  __builtin_memcpy(&high, reinterpret_cast<const char*>(&total) + sizeof(Half), sizeof(Half));
  const Half halves = low + high;
  Quarter q0, q1;
  __builtin_memcpy(&q0, &halves, sizeof(Quarter));
  __builtin_memcpy(&q1, reinterpret_cast<const char*>(&halves) + sizeof(Quarter), sizeof(Quarter));
  const Quarter quarters = q0 + q1;
  float sum = (quarters[0] + quarters[2]) + (quarters[1] + quarters[3]);
  for (; i < n; ++i) sum += a[i] * c[i];
  return sum;
}

}  // namespace

SparsePattern SparsePattern::of_mask(const bool* mask, std::int64_t rows, std::int64_t cols) {
  SparsePattern pattern;
  pattern.rows = rows;
  pattern.cols = cols;
  pattern.row_start.assign(static_cast<std::size_t>(rows) + 1, 0);
  pattern.col_start.assign(static_cast<std::size_t>(cols) + 1, 0);
  for (std::int64_t r = 0; r < rows; ++r) {
    const bool* row = mask + r * cols;
    for (std::int64_t c = 0; c < cols; ++c) {
      if (!row[c]) continue;
      pattern.row_cols.push_back(static_cast<std::int32_t>(c));
      ++pattern.col_start[static_cast<std::size_t>(c) + 1];
    }
    pattern.row_start[static_cast<std::size_t>(r) + 1] = static_cast<std::int32_t>(pattern.row_cols.size());
  }
  for (std::int64_t c = 0; c < cols; ++c) pattern.col_start[c + 1] += pattern.col_start[c];
  pattern.col_rows.resize(pattern.row_cols.size());
  std::vector<std::int32_t> next(pattern.col_start.begin(), pattern.col_start.end() - 1);
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int32_t k = pattern.row_start[r]; k < pattern.row_start[r + 1]; ++k) {
      pattern.col_rows[next[pattern.row_cols[k]]++] = static_cast<std::int32_t>(r);
    }
  }
  return pattern;
}

STRUCTLAB_CPU_CLONES
static void sparse_forward_rows(const SparsePattern& pattern, const float* weight, const float* bias, const float* xT,
                         float* yT, std::int64_t batch, bool accumulate, std::int64_t begin, std::int64_t end) {
  const std::int64_t cols = pattern.cols;
  for (std::int64_t r = begin; r < end; ++r) {
    const float* weight_row = weight + r * cols;
    const std::int32_t* row_cols = pattern.row_cols.data();
    gather_rows(yT + r * batch, bias != nullptr ? bias[r] : 0.0f, xT, row_cols, pattern.row_start[r],
                pattern.row_start[r + 1], batch, accumulate, [weight_row, row_cols](std::int32_t k) { return weight_row[row_cols[k]]; });
  }
}

STRUCTLAB_CPU_CLONES
static void sparse_input_grad_cols(const SparsePattern& pattern, const float* weight, const float* gyT, float* gxT,
                            std::int64_t batch, bool accumulate, std::int64_t begin, std::int64_t end) {
  const std::int64_t cols = pattern.cols;
  for (std::int64_t c = begin; c < end; ++c) {
    const float* weight_col = weight + c;
    const std::int32_t* col_rows = pattern.col_rows.data();
    gather_rows(gxT + c * batch, 0.0f, gyT, col_rows, pattern.col_start[c], pattern.col_start[c + 1], batch, accumulate,
                [weight_col, col_rows, cols](std::int32_t k) { return weight_col[col_rows[k] * cols]; });
  }
}

STRUCTLAB_CPU_CLONES
static void sparse_weight_grad_rows(const SparsePattern& pattern, const float* gyT, const float* xT,
                             float* grad_weight, std::int64_t batch, std::int64_t begin, std::int64_t end) {
  const std::int64_t cols = pattern.cols;
  for (std::int64_t r = begin; r < end; ++r) {
    const float* g = gyT + r * batch;
    float* grad_row = grad_weight + r * cols;
    for (std::int32_t k = pattern.row_start[r]; k < pattern.row_start[r + 1]; ++k) {
      const std::int32_t c = pattern.row_cols[k];
      grad_row[c] = dot(g, xT + static_cast<std::int64_t>(c) * batch, batch);
    }
  }
}

namespace {

// Calls \p rows_fn(begin, end) on ranges of [0, items) that hold about equal shares of the active entries
// (\p start is a CSR or CSC start array), one range per thread; a job too small to pay for a second thread
// runs on the calling thread.
template <typename RowsFn>
void split_by_entries(const std::vector<std::int32_t>& start, std::int64_t items, std::int64_t batch, int threads,
                      RowsFn rows_fn) {
  constexpr std::int64_t kSmallJob = 1 << 15;  // multiply-adds
  const std::int64_t active = start[static_cast<std::size_t>(items)];
  const int chunks = active * batch < kSmallJob || items < 2 ? 1 : static_cast<int>(std::min<std::int64_t>(threads, items));
  if (chunks <= 1) {
    rows_fn(0, items);
    return;
  }
  std::vector<std::int64_t> bounds(static_cast<std::size_t>(chunks) + 1, items);
  bounds[0] = 0;
  for (int c = 1; c < chunks; ++c) {
    const std::int64_t target = active * c / chunks;
    const auto at = std::lower_bound(start.begin(), start.begin() + items, target) - start.begin();
    bounds[c] = std::max<std::int64_t>(bounds[c - 1], at);
  }
#pragma omp parallel for schedule(static, 1) num_threads(chunks)
  for (int c = 0; c < chunks; ++c) rows_fn(bounds[c], bounds[c + 1]);
}

}  // namespace

void sparse_forward(const SparsePattern& pattern, const float* weight, const float* bias, const float* xT,
                    float* yT, std::int64_t batch, int threads, bool accumulate) {
  split_by_entries(pattern.row_start, pattern.rows, batch, threads, [&](std::int64_t begin, std::int64_t end) {
    sparse_forward_rows(pattern, weight, bias, xT, yT, batch, accumulate, begin, end);
  });
}

void sparse_input_grad(const SparsePattern& pattern, const float* weight, const float* gyT, float* gxT,
                       std::int64_t batch, int threads, bool accumulate) {
  split_by_entries(pattern.col_start, pattern.cols, batch, threads, [&](std::int64_t begin, std::int64_t end) {
    sparse_input_grad_cols(pattern, weight, gyT, gxT, batch, accumulate, begin, end);
  });
}

void sparse_weight_grad(const SparsePattern& pattern, const float* gyT, const float* xT, float* grad_weight,
                        std::int64_t batch, int threads) {
  split_by_entries(pattern.row_start, pattern.rows, batch, threads, [&](std::int64_t begin, std::int64_t end) {
    sparse_weight_grad_rows(pattern, gyT, xT, grad_weight, batch, begin, end);
  });
}

std::string cpu_kernel_isa() {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
    return "avx512";
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "avx2";
  return "x86-64";
#else
  return "generic";
#endif
}

}  // namespace structlab::nn::detail
