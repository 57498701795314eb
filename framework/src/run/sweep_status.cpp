// The state of every run of a sweep, from the files in its output folder.

#include "structlab/run/sweep_status.hpp"

#include <fmt/format.h>

#include <fstream>
#include <string_view>

#include "structlab/archive/archive_metadata.hpp"
#include "structlab/archive/checkpoint.hpp"
#include "structlab/archive/run_archive.hpp"
#include "structlab/run/run_lock.hpp"
#include "structlab/error.hpp"
#include "structlab/run/runner.hpp"

namespace structlab::run {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMarkerPrefix = "structlab-slurm: run ";

// run id -> the newest log (by modification time) that has the run's marker line
std::map<std::string, fs::path> logs_by_run(const fs::path& log_dir) {
  std::map<std::string, fs::path> newest;
  std::map<std::string, fs::file_time_type> newest_time;
  std::error_code error;
  if (!fs::is_directory(log_dir, error)) return newest;
  for (const auto& entry : fs::directory_iterator(log_dir, error)) {
    if (!entry.is_regular_file(error)) continue;
    const fs::file_time_type time = entry.last_write_time(error);
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      if (line.compare(0, kMarkerPrefix.size(), kMarkerPrefix) != 0) continue;
      std::string rest = line.substr(kMarkerPrefix.size());
      std::string run_id = rest.substr(0, rest.find(' '));
      auto found = newest_time.find(run_id);
      if (found == newest_time.end() || time > found->second) {
        newest_time[run_id] = time;
        newest[run_id] = entry.path();
      }
    }
  }
  return newest;
}

std::string failure_message(const fs::path& archive) {
  try {
    archive::ArchiveMetadata metadata = archive::read_archive_metadata(archive);
    auto message = metadata.attributes.find("message");
    if (message != metadata.attributes.end() && !message->second.empty()) return message->second;
  } catch (const std::exception&) {
  }
  return "the archive records status failed (see `structlab inspect " + archive.string() + "`)";
}

RunStatus status_of(const spec::RunSpec& run, const fs::path& out_dir) {
  RunStatus status;
  status.index = run.index;
  status.run_id = run.run_id;
  status.archive = archive_path_of(out_dir, run);
  std::error_code error;

  bool abandoned = false;
  std::optional<LockHolder> holder = read_lock(lock_path_of(status.archive), abandoned);
  if (holder && !abandoned) {
    status.state = RunState::running;
    status.detail = holder->describe();
    return status;
  }
  const archive::ArchiveIdentity identity = archive::archive_identity(status.archive);
  if (identity.state == archive::ArchiveState::completed) {
    if (identity.spec_hash == run.spec_hash) {
      status.state = RunState::completed;
    } else {
      status.state = RunState::failed;
      status.detail = fmt::format("{} is a completed archive of another run (run id {}); move it away", 
                                  status.archive.string(), identity.run_id);
    }
    return status;
  }
  const fs::path checkpoint = archive::checkpoint_path_of(status.archive);
  if (fs::exists(checkpoint, error)) {
    status.state = RunState::interrupted;
    status.detail = "checkpoint " + checkpoint.string();
    if (holder) status.detail += "; its process is gone (" + holder->describe() + ")";
    return status;
  }
  if (identity.state == archive::ArchiveState::failed) {
    status.state = RunState::failed;
    status.detail = failure_message(status.archive);
    return status;
  }
  if (identity.state == archive::ArchiveState::unreadable) {
    status.state = RunState::failed;
    status.detail = status.archive.string() + " is not a readable structlab archive";
    return status;
  }
  fs::path partial = status.archive;
  partial += ".partial";
  if (holder) {
    status.detail = "its last process ended without a checkpoint (" + holder->describe() + "); it starts over";
  } else if (fs::exists(partial, error)) {
    status.detail = "a partial archive without checkpoint is left from an earlier attempt; it starts over";
  }
  return status;
}

}  // namespace

const char* to_string(RunState state) {
  switch (state) {
    case RunState::completed:
      return "completed";
    case RunState::running:
      return "running";
    case RunState::interrupted:
      return "interrupted";
    case RunState::failed:
      return "failed";
    case RunState::not_started:
      return "not started";
  }
  return "unknown";
}

fs::path slurm_folder_of(const fs::path& out_dir, const std::string& experiment) {
  return out_dir / experiment / "slurm";
}

std::string slurm_log_marker(const std::string& run_id) { return std::string(kMarkerPrefix) + run_id; }

std::vector<RunStatus> sweep_status(const spec::ExperimentPlan& plan, const fs::path& out_dir) {
  std::vector<RunStatus> statuses;
  statuses.reserve(plan.run_count());
  for (std::uint64_t i = 0; i < plan.run_count(); ++i) {
    try {
      statuses.push_back(status_of(plan.run_at(i), out_dir));
    } catch (const ConfigError& e) {
      // a large grid's combination that is invalid only together: it fails when it runs, so it is failed here
      RunStatus invalid;
      invalid.index = static_cast<std::int64_t>(i);
      invalid.run_id = fmt::format("{}-run-{}", plan.experiment, i);
      invalid.state = RunState::failed;
      invalid.detail = e.what();
      statuses.push_back(invalid);
    }
  }
  bool wants_logs = false;
  for (const auto& status : statuses) wants_logs = wants_logs || status.state != RunState::completed;
  if (wants_logs) {
    const std::map<std::string, fs::path> logs = logs_by_run(slurm_folder_of(out_dir, plan.experiment) / "logs");
    for (auto& status : statuses) {
      auto log = logs.find(status.run_id);
      if (log != logs.end()) status.log = log->second;
    }
  }
  return statuses;
}

std::map<RunState, std::size_t> count_states(const std::vector<RunStatus>& runs) {
  std::map<RunState, std::size_t> counts;
  for (RunState state : {RunState::completed, RunState::running, RunState::interrupted, RunState::failed,
                         RunState::not_started})
    counts[state] = 0;
  for (const auto& run : runs) ++counts[run.state];
  return counts;
}

}  // namespace structlab::run
