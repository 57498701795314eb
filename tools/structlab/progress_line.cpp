#include "progress_line.hpp"

#include <fmt/format.h>
#include <unistd.h>

namespace structlab::cli {
namespace {

constexpr std::chrono::milliseconds kRefresh{100};

}  // namespace

ProgressLine::ProgressLine(std::FILE* stream) : stream_(stream), terminal_(isatty(fileno(stream)) != 0) {}

void ProgressLine::operator()(const graph::MetricsProgress& progress) {
  auto now = std::chrono::steady_clock::now();
  const bool starting = progress.done == 0;
  const bool finished = progress.done == progress.total;
  if (starting) started_ = now;
  if (!terminal_ && !starting && !finished) return;
  if (terminal_ && !starting && !finished && now - last_shown_ < kRefresh) return;
  last_shown_ = now;
  std::string line =
      fmt::format("metrics: {} {}/{} {}", progress.metric, progress.done, progress.total, progress.unit);
  if (finished) line += fmt::format(" ({:.1f} s)", std::chrono::duration<double>(now - started_).count());
  if (terminal_) {
    // back to the line's start, clear it, and end it only when the metric is done
    fmt::print(stream_, "\r\033[K{}{}", line, finished ? "\n" : "");
  } else {
    fmt::print(stream_, "{}\n", line);
  }
  std::fflush(stream_);
}

}  // namespace structlab::cli
