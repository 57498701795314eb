#pragma once
/// \file
/// One run from spec to archive: data, structure, model, training, pruning stages.

#include <filesystem>
#include <vector>

#include "structlab/run/outcome.hpp"
#include "structlab/run/progress.hpp"
#include "structlab/spec/experiment.hpp"

namespace structlab::run {

/// What a run needs besides its spec.
struct RunEnvironment {
  std::filesystem::path archive_path;                ///< final archive path
  int threads = 1;                                   ///< LibTorch threads for this run
  std::vector<std::filesystem::path> plugin_paths;   ///< extra plugin paths (spec + command line)
};

/// Executes \p run and writes its archive. Never throws for a failure inside the run: the outcome (and the
/// archive's status) is "failed" with the message, so the other runs can go on.
RunOutcome execute_run(const spec::RunSpec& run, const RunEnvironment& environment, ProgressSink& progress);

}  // namespace structlab::run
