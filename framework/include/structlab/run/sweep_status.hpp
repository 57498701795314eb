#pragma once
/// \file
/// Where each run of a sweep stands, read from the files in its output folder (archive, checkpoint, lock,
/// partial archive) and, where a Slurm submission left them, its task logs. `structlab status` prints it;
/// `structlab slurm` leaves out the completed runs.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "structlab/spec/loader.hpp"

namespace structlab::run {

/// The state of one run.
enum class RunState {
  completed,    ///< its archive is complete and records this run's spec hash
  running,      ///< a live process holds its run lock
  interrupted,  ///< a checkpoint is present: the next `structlab run` resumes from it
  failed,       ///< its archive ended "failed", or the archive under its name belongs to another run
  not_started,  ///< none of the above (a partial archive without checkpoint starts over)
};

/// "completed", "running", "interrupted", "failed" or "not started".
const char* to_string(RunState state);

/// One run's state and what explains it.
struct RunStatus {
  std::int64_t index = 0;             ///< position in the run list
  std::string run_id;                 ///< run id
  RunState state = RunState::not_started;  ///< its state
  /// running: the lock holder; interrupted: the checkpoint; failed: the run's error message; not started:
  /// what an earlier attempt left, if anything.
  std::string detail;
  std::filesystem::path archive;      ///< `<out>/<experiment>/<run-id>.h5`
  std::filesystem::path log;          ///< the newest Slurm task log that ran it (empty: none)
};

/// The folder `structlab slurm` writes into: `<out>/<experiment>/slurm`.
std::filesystem::path slurm_folder_of(const std::filesystem::path& out_dir, const std::string& experiment);

/// The line a Slurm task prints into its log before it runs \p run_id; sweep_status() finds logs by it.
std::string slurm_log_marker(const std::string& run_id);

/// The state of every run of \p plan under \p out_dir, in run-list order. Reads only attributes and file
/// names, never tensors; never takes a lock. Logs are looked up under slurm_folder_of()/logs.
std::vector<RunStatus> sweep_status(const spec::ExperimentPlan& plan, const std::filesystem::path& out_dir);

/// How many runs are in each state (every state present, zero or not).
std::map<RunState, std::size_t> count_states(const std::vector<RunStatus>& runs);

}  // namespace structlab::run
