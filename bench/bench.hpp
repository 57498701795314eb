#pragma once
// A tiny registry of benchmark figures for structlab-bench. Each bench_*.cpp file registers the figures it
// measures; main prints every requested figure as one JSON object {"figure": value, ...}.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace structlab::bench {

/// Options every figure sees.
struct BenchOptions {
  int threads = 0;  ///< LibTorch threads (0 = all cores); set before figures run
  bool quick = false;  ///< smaller sizes for a smoke run (figures are then not comparable to references)
};

/// Measures one or more figures and returns name -> value.
using FigureGroup = std::function<std::map<std::string, double>(const BenchOptions&)>;

/// Registers a group of figures under \p group name (e.g. "graph", "dan"); returns true so it can
/// initialise a namespace-scope constant.
bool register_group(const std::string& group, FigureGroup measure);

/// All registered groups, by name.
std::map<std::string, FigureGroup>& groups();

/// Seconds taken by \p fn (one run).
inline double seconds_of(const std::function<void()>& fn) {
  auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Best (minimum) seconds of \p repeats runs of \p fn.
inline double best_seconds_of(int repeats, const std::function<void()>& fn) {
  double best = 1e300;
  for (int i = 0; i < repeats; ++i) best = std::min(best, seconds_of(fn));
  return best;
}

}  // namespace structlab::bench
