#pragma once
/// \file
/// Progress reporting of runs: a live line per run on a terminal, plain lines otherwise.

#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "structlab/run/outcome.hpp"

namespace structlab::run {

/// Where a run is, for one progress update.
struct ProgressUpdate {
  std::string run_id;              ///< which run
  std::string stage;               ///< e.g. "data", "structure", "train 00", "prune 01"
  std::int64_t epoch = 0;          ///< epoch within the stage (0 before the first)
  std::int64_t epochs = 0;         ///< epochs in the stage
  double train_loss = 0;           ///< last epoch's training loss
  double test_accuracy = 0;        ///< last epoch's test accuracy (NaN for regression)
  double test_loss = 0;            ///< last epoch's test loss
  double eta_seconds = -1;         ///< estimated seconds left in the run, negative when unknown
  double density = 1;              ///< active / total weights
};

/// Receives progress from runs; safe to call from several run threads.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  /// A run moved on.
  virtual void update(const ProgressUpdate& update) = 0;
  /// A run ended (or was skipped).
  virtual void finished(const RunOutcome& outcome) = 0;
};

/// Prints progress to \p out: on a terminal one live line per active run redrawn in place, otherwise one plain
/// line per epoch and per finished run.
class ConsoleProgress : public ProgressSink {
 public:
  /// Progress on \p out (std::cerr usually); \p live chooses redrawn lines (a terminal) or plain lines.
  ConsoleProgress(std::ostream& out, bool live);
  /// update() of ProgressSink.
  void update(const ProgressUpdate& update) override;
  /// finished() of ProgressSink.
  void finished(const RunOutcome& outcome) override;

 private:
  void redraw();
  std::ostream& out_;
  bool live_;
  std::mutex mutex_;
  std::map<std::string, std::string> lines_;  // live line per active run
  std::size_t drawn_ = 0;                     // lines currently on screen
};

/// The summary table printed after all runs.
std::string summary_table(const std::vector<RunOutcome>& outcomes);

/// One line describing \p update (used by both console modes and tests).
std::string describe(const ProgressUpdate& update);

}  // namespace structlab::run
