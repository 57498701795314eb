#pragma once
/// \file
/// Re-evaluating an archived stage: the model rebuilt from the archive alone, its test metrics recomputed.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace structlab::run {

/// Recorded and recomputed test metrics of one stage.
struct StageEvaluation {
  std::int64_t stage = 0;           ///< stage index
  double recorded_loss = 0;         ///< test_loss in the archive
  double recorded_accuracy = 0;     ///< test_accuracy in the archive (NaN for regression)
  double recomputed_loss = 0;       ///< test loss of the rebuilt model
  double recomputed_accuracy = 0;   ///< test accuracy of the rebuilt model (NaN for regression)

  /// True when both recomputed values equal the recorded ones bit for bit (NaN equals NaN).
  bool exact() const;
};

/// Rebuilds the model of \p archive_path from its spec, structure, and the stage's weights, masks and other
/// parameters and buffers, with the same plugins (found on the default paths and \p plugin_paths), and
/// evaluates it on the dataset's test split: every stage, or only \p stage. Throws ArchiveError when the
/// archive lacks the stage or a parameter of the model (archives written before complete stages), and the
/// errors of loading data and plugins otherwise. Results equal the recorded ones on the same machine and
/// LibTorch thread count.
std::vector<StageEvaluation> evaluate_archive(const std::filesystem::path& archive_path,
                                              std::optional<std::int64_t> stage,
                                              const std::vector<std::filesystem::path>& plugin_paths);

}  // namespace structlab::run
