#pragma once
/// \file
/// One run from spec to archive: data, structure, model, training, pruning stages.

#include <chrono>
#include <filesystem>
#include <vector>

#include "structlab/run/outcome.hpp"
#include "structlab/run/progress.hpp"
#include "structlab/spec/experiment.hpp"
#include "structlab/train/hooks.hpp"

namespace structlab::run {

class RunLock;

/// What a run needs besides its spec.
struct RunEnvironment {
  std::filesystem::path archive_path;                ///< final archive path
  int threads = 1;                                   ///< LibTorch threads for this run
  std::vector<std::filesystem::path> plugin_paths;   ///< extra plugin paths (spec + command line)
  /// A checkpoint is saved when this much time passed since the last one (zero: only when stopped).
  std::chrono::seconds checkpoint_every{600};
  /// Start over even when a checkpoint of the run exists (it is deleted); otherwise the run resumes from it.
  bool restart = false;
  /// Hooks added to the training engine after the run's own (embedding programs, tests); not owned.
  std::vector<train::TrainingHook*> extra_hooks;
  /// The run's lock when the caller holds one (not owned). A run that loses it (another process took the run
  /// over) stops at the next step boundary, or before its next checkpoint or its final rename, and ends as
  /// "locked" without writing, renaming or deleting any of the run's files.
  const RunLock* run_lock = nullptr;
};

/// Executes \p run and writes its archive. Never throws for a failure inside the run: the outcome (and the
/// archive's status) is "failed" with the message, so the other runs can go on.
///
/// When `<run-id>.ckpt` exists beside the archive (and not environment.restart) the run resumes from it and
/// ends exactly as it would have without the interruption; a checkpoint of another spec or structlab version
/// fails the run with a message saying so and is left in place. A stop request (stop.hpp) saves a checkpoint
/// at the next step boundary and ends the run as "interrupted". The checkpoint is deleted once the archive
/// is complete.
RunOutcome execute_run(const spec::RunSpec& run, const RunEnvironment& environment, ProgressSink& progress);

}  // namespace structlab::run
