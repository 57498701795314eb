#pragma once
/// \file
/// RunLock: at most one process executes a run id at a time, across processes and hosts sharing the output
/// folder. The lock is a file `<run-id>.lock` beside the archive, created atomically (O_EXCL, which NFS v3+ and
/// Lustre honour, unlike the flock() HDF5 would use), holding the holder's host, pid and start time; the holder
/// touches it every `heartbeat` while it runs.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace structlab::run {

/// Who holds a lock, as its file says.
struct LockHolder {
  std::string host;                    ///< host name
  long pid = 0;                        ///< process id on that host
  std::string start_time;              ///< ISO 8601 UTC, when the lock was taken
  double seconds_since_heartbeat = 0;  ///< age of the file's last modification

  /// "host H, pid P, since T (heartbeat N s ago)".
  std::string describe() const;
};

/// An exclusive lock on one run, released (its file removed) when destroyed.
class RunLock {
 public:
  /// How long a lock from another host may go without a heartbeat before it counts as abandoned.
  static constexpr std::chrono::seconds kStaleAfter{600};
  /// How often the holder refreshes its lock.
  static constexpr std::chrono::seconds kHeartbeat{30};

  /// Takes the lock at \p path, or returns nullopt and fills \p holder when a live process holds it. A lock
  /// left by a dead process on this host (its pid is gone), or by another host without a heartbeat for
  /// \p stale_after, is taken over. Throws Error when the file cannot be created for another reason (naming it).
  static std::unique_ptr<RunLock> acquire(const std::filesystem::path& path, LockHolder& holder,
                                          std::chrono::seconds stale_after = kStaleAfter);
  /// Stops the heartbeat and removes the lock file if it is still this process's.
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  /// The lock file.
  const std::filesystem::path& path() const { return path_; }

  /// False once the heartbeat found the lock file gone or naming another process: a process whose heartbeat
  /// stopped for longer than the stale age (a suspended machine, a frozen node) may find its run taken over.
  /// Cheap (no file access); the heartbeat updates it.
  bool held() const { return !lost_; }

  /// Reads the lock file now: true when it is still this process's. A run calls it before every file operation
  /// that another holder's files would suffer from (a checkpoint, the final rename).
  bool verify() const;

  /// Who holds the lock now, as its file says (for the message of a lost lock).
  LockHolder current_holder() const;

 private:
  RunLock(std::filesystem::path path, std::string content);
  void beat();

  std::filesystem::path path_;
  std::string content_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  mutable std::atomic<bool> lost_{false};
  std::thread heartbeat_;
};

/// Who holds the lock file at \p path without taking it (for `structlab status`): nullopt when there is no
/// lock file. \p abandoned is set as acquire() judges it: a dead pid on this host, or no heartbeat from
/// another host for \p stale_after; such a lock is taken over by the next run.
std::optional<LockHolder> read_lock(const std::filesystem::path& path, bool& abandoned,
                                    std::chrono::seconds stale_after = RunLock::kStaleAfter);

/// The lock path of an archive: `<dir>/<run-id>.lock` for `<dir>/<run-id>.h5`.
std::filesystem::path lock_path_of(const std::filesystem::path& archive_path);

}  // namespace structlab::run
