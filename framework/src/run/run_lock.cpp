#include "structlab/run/run_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/host_clock.hpp"
#include "structlab/error.hpp"

namespace structlab::run {
namespace fs = std::filesystem;

namespace {

using structlab::detail::host_name;
using structlab::detail::utc_now;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The holder a lock file names; fields stay empty for a file being written or damaged.
LockHolder holder_of(const fs::path& path) {
  LockHolder holder;
  std::istringstream in(read_file(path));
  in >> holder.host >> holder.pid >> holder.start_time;
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) {
    holder.seconds_since_heartbeat = std::difftime(std::time(nullptr), info.st_mtime);
  }
  return holder;
}

bool is_abandoned(const LockHolder& holder, const std::string& this_host, std::chrono::seconds stale_after) {
  if (holder.host == this_host && holder.pid > 0) {
    // this process never takes one run twice, so a lock naming its pid is left over from an earlier process
    // that had the same pid (containers reuse small pids)
    if (holder.pid == static_cast<long>(::getpid())) return true;
    return ::kill(static_cast<pid_t>(holder.pid), 0) != 0 && errno == ESRCH;
  }
  return holder.seconds_since_heartbeat > static_cast<double>(stale_after.count());
}

// Creates \p path holding \p content only if it does not exist; false when it does.
bool create_exclusively(const fs::path& path, const std::string& content) {
  const int descriptor = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (descriptor < 0) {
    if (errno == EEXIST) return false;
    throw Error(fmt::format("run lock {}: cannot create it: {}", path.string(), std::strerror(errno)));
  }
  const bool written =
      ::write(descriptor, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::fsync(descriptor);
  ::close(descriptor);
  if (!written) {
    ::unlink(path.c_str());
    throw Error(fmt::format("run lock {}: cannot write it", path.string()));
  }
  return true;
}

}  // namespace

std::string LockHolder::describe() const {
  return fmt::format("host {}, pid {}, since {} (heartbeat {:.0f} s ago)", host.empty() ? "?" : host, pid,
                     start_time.empty() ? "?" : start_time, seconds_since_heartbeat);
}

std::optional<LockHolder> read_lock(const fs::path& path, bool& abandoned, std::chrono::seconds stale_after) {
  abandoned = false;
  std::error_code error;
  if (!fs::exists(path, error)) return std::nullopt;
  LockHolder holder = holder_of(path);
  abandoned = is_abandoned(holder, host_name(), stale_after);
  return holder;
}

fs::path lock_path_of(const fs::path& archive_path) {
  fs::path path = archive_path;
  path.replace_extension(".lock");
  return path;
}

std::unique_ptr<RunLock> RunLock::acquire(const fs::path& path, LockHolder& holder,
                                          std::chrono::seconds stale_after) {
  const std::string host = host_name();
  const std::string content = fmt::format("{} {} {}\n", host, static_cast<long>(::getpid()), utc_now());
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (create_exclusively(path, content)) return std::unique_ptr<RunLock>(new RunLock(path, content));
    holder = holder_of(path);
    if (!is_abandoned(holder, host, stale_after)) return nullptr;
    // move the abandoned lock aside under a name of our own; of several processes doing this at once, one
    // succeeds, the others find nothing to move and go back to the exclusive create
    // (a short suffix: the experiment name may use most of the 255 bytes a file name has)
    const fs::path aside = fs::path(path.string() + fmt::format(".stale.{}", ::getpid()));
    if (::rename(path.c_str(), aside.c_str()) == 0) {
      // another process may have replaced the abandoned lock with a live one just before the rename: put it
      // back with link(), which fails rather than overwrite a lock a third process created meanwhile
      const LockHolder moved = holder_of(aside);
      if (moved.host != holder.host || moved.pid != holder.pid || moved.start_time != holder.start_time) {
        ::link(aside.c_str(), path.c_str());
        ::unlink(aside.c_str());
        holder = moved;
        return nullptr;
      }
      ::unlink(aside.c_str());
    }
  }
  holder = holder_of(path);
  return nullptr;
}

RunLock::RunLock(fs::path path, std::string content) : path_(std::move(path)), content_(std::move(content)) {
  heartbeat_ = std::thread([this] { beat(); });
}

void RunLock::beat() {
  std::unique_lock<std::mutex> guard(mutex_);
  while (!wake_.wait_for(guard, kHeartbeat, [this] { return stopping_; })) {
    // touch only a lock that is still ours: refreshing another holder's file would hide that it went stale
    if (!verify()) return;
    ::utimensat(AT_FDCWD, path_.c_str(), nullptr, 0);
  }
}

bool RunLock::verify() const {
  if (lost_) return false;
  if (read_file(path_) != content_) lost_ = true;
  return !lost_;
}

LockHolder RunLock::current_holder() const { return holder_of(path_); }

RunLock::~RunLock() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  // remove only our own lock: after a takeover by another process the file is theirs
  if (read_file(path_) == content_) ::unlink(path_.c_str());
}

}  // namespace structlab::run
