#pragma once
/// \file
/// What became of one run.

#include <cstdint>
#include <filesystem>
#include <string>

namespace structlab::run {

/// Result of one run, for the summary table and the exit status.
struct RunOutcome {
  std::int64_t index = 0;           ///< position in the run list
  std::string run_id;               ///< run id
  std::string status;               ///< completed | failed | interrupted (checkpointed, resumable) | skipped (archive already complete) | locked (another process runs it)
  std::string message;              ///< error message of a failed run
  double seconds = 0;               ///< wall time
  double test_accuracy = 0;         ///< final test accuracy (NaN for regression or unknown)
  double test_loss = 0;             ///< final test loss
  std::int64_t active_weights = 0;  ///< active weights at the end
  std::int64_t total_weights = 0;   ///< weight entries of the masked layers
  std::filesystem::path archive;    ///< the run's archive
};

}  // namespace structlab::run
