#include "structlab/run/progress.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ostream>

namespace structlab::run {
namespace {

std::string format_duration(double seconds) {
  if (seconds < 0) return "?";
  auto total = static_cast<long>(std::lround(seconds));
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
  if (total >= 60) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

std::string format_accuracy(double accuracy) {
  return std::isnan(accuracy) ? "-" : fmt::format("{:.4f}", accuracy);
}

}  // namespace

std::string describe(const ProgressUpdate& update) {
  std::string line = fmt::format("{}  {}", update.run_id, update.stage);
  if (update.epochs > 0) {
    line += fmt::format("  epoch {}/{}", update.epoch, update.epochs);
    if (update.epoch > 0) {
      line += fmt::format("  loss {:.4f}  test acc {}  test loss {:.4f}", update.train_loss,
                          format_accuracy(update.test_accuracy), update.test_loss);
    }
  }
  if (update.density < 1.0) line += fmt::format("  density {:.3f}", update.density);
  if (update.eta_seconds >= 0) line += "  ETA " + format_duration(update.eta_seconds);
  return line;
}

ConsoleProgress::ConsoleProgress(std::ostream& out, bool live) : out_(out), live_(live) {}

void ConsoleProgress::update(const ProgressUpdate& update) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (live_) {
    lines_[update.run_id] = describe(update);
    redraw();
  } else if (update.epoch > 0 || update.epochs == 0) {
    out_ << describe(update) << "\n" << std::flush;
  }
}

void ConsoleProgress::finished(const RunOutcome& outcome) {
  std::lock_guard<std::mutex> lock(mutex_);
  lines_.erase(outcome.run_id);
  std::string line;
  if (outcome.status == "failed") {
    line = fmt::format("{}  FAILED: {}", outcome.run_id, outcome.message);
  } else if (outcome.status == "skipped") {
    line = fmt::format("{}  skipped (complete archive {})", outcome.run_id, outcome.archive.string());
  } else if (outcome.status == "locked") {
    line = fmt::format("{}  not run here: {}", outcome.run_id, outcome.message);
  } else if (outcome.status == "interrupted") {
    line = fmt::format("{}  interrupted: {}", outcome.run_id, outcome.message);
  } else {
    line = fmt::format("{}  done in {}  test acc {}  -> {}", outcome.run_id, format_duration(outcome.seconds),
                       format_accuracy(outcome.test_accuracy), outcome.archive.string());
  }
  if (live_) {
    // print the finished line above the live block, then redraw the block below it
    for (std::size_t i = 0; i < drawn_; ++i) out_ << "\x1b[1A\x1b[2K";
    drawn_ = 0;
    out_ << "\r\x1b[2K" << line << "\n";
    redraw();
  } else {
    out_ << line << "\n" << std::flush;
  }
}

void ConsoleProgress::redraw() {
  for (std::size_t i = 0; i < drawn_; ++i) out_ << "\x1b[1A\x1b[2K";
  for (const auto& [run_id, line] : lines_) out_ << "\r\x1b[2K" << line << "\n";
  drawn_ = lines_.size();
  out_ << std::flush;
}

std::string summary_table(const std::vector<RunOutcome>& outcomes) {
  std::string table = fmt::format("{:<5} {:<40} {:<9} {:>9} {:>10} {:>9} {:>9}\n", "#", "run", "status", "test acc",
                                  "test loss", "density", "seconds");
  std::size_t failed = 0;
  std::size_t interrupted = 0;
  for (const auto& outcome : outcomes) {
    double density = outcome.total_weights > 0
                         ? static_cast<double>(outcome.active_weights) / static_cast<double>(outcome.total_weights)
                         : std::nan("");
    bool ran = outcome.status == "completed";
    table += fmt::format("{:<5} {:<40} {:<9} {:>9} {:>10} {:>9} {:>9}\n", outcome.index, outcome.run_id,
                         outcome.status, ran ? format_accuracy(outcome.test_accuracy) : "-",
                         ran ? fmt::format("{:.4f}", outcome.test_loss) : "-",
                         ran && !std::isnan(density) ? fmt::format("{:.3f}", density) : "-",
                         fmt::format("{:.1f}", outcome.seconds));
    if (outcome.status == "failed") {
      ++failed;
      table += fmt::format("      {}\n", outcome.message);
    }
    if (outcome.status == "interrupted") ++interrupted;
  }
  table += fmt::format("{} runs, {} failed", outcomes.size(), failed);
  if (interrupted > 0) table += fmt::format(", {} interrupted (run the same command again to resume)", interrupted);
  table += "\n";
  return table;
}

}  // namespace structlab::run
