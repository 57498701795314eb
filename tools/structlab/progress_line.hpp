#pragma once
// The progress line `structlab graph --metrics` writes on stderr while C and L are computed.

#include <chrono>
#include <cstdio>

#include "structlab/graph/metrics.hpp"

namespace structlab::cli {

/// Writes MetricsProgress reports to a stream. On a terminal one line per metric is rewritten in place
/// (at most 10 times a second) and left showing the count and the seconds taken; elsewhere (a pipe, a
/// file) each metric gives two plain lines, one when it starts and one when it ends.
class ProgressLine {
 public:
  /// Reports to \p stream; whether it is a terminal is asked once, here.
  explicit ProgressLine(std::FILE* stream);

  /// Shows \p progress; pass this as MetricsOptions::progress.
  void operator()(const graph::MetricsProgress& progress);

 private:
  std::FILE* stream_;
  bool terminal_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_shown_;
};

}  // namespace structlab::cli
