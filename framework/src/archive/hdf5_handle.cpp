#include "archive/hdf5_handle.hpp"

#include <cerrno>
#include <cstdlib>
#include <algorithm>
#include <vector>

#include "structlab/error.hpp"

namespace structlab::archive::detail {
namespace {

herr_t collect_description(unsigned /*position*/, const H5E_error2_t* entry, void* client_data) {
  auto* descriptions = static_cast<std::vector<std::string>*>(client_data);
  std::string text = entry->desc != nullptr ? entry->desc : "";
  if (text.empty() && entry->func_name != nullptr) text = std::string("failure in ") + entry->func_name;
  // the same sentence is often repeated by several layers of the library; once is enough
  if (!text.empty() && std::find(descriptions->begin(), descriptions->end(), text) == descriptions->end()) {
    descriptions->push_back(text);
  }
  return 0;
}

// HDF5's file driver reports a failed system call as one long sentence (time, file, descriptor, buffer address,
// byte counts, "errno = 28, error message = 'No space left on device'"); the reader needs the system's reason.
std::string with_system_reason(const std::string& text) {
  const std::string marker = "error message = '";
  const auto at = text.find(marker);
  if (at == std::string::npos) return text;
  const auto start = at + marker.size();
  const std::string reason = text.substr(start, text.find('\'', start) - start);
  const auto errno_at = text.find("errno = ");
  const int code = errno_at == std::string::npos ? 0 : std::atoi(text.c_str() + errno_at + 8);
  if (code == ENOSPC || code == EFBIG || code == EDQUOT) {
    return reason + ": the disk or the quota is full, or the file size limit (ulimit -f) is reached";
  }
  return reason;
}

// A write that fails half-way (a full disk) can leave a file that H5Fclose cannot close. HDF5's own exit
// handler then walks its open files and crashes on that one after main() has returned (exit status 139
// after every completed archive was saved). structlab closes every file it opens explicitly, so the
// handler has nothing to do; it is not installed. This runs when the library is loaded, before any HDF5 call.
const bool hdf5_exit_handler_skipped = H5dont_atexit() >= 0;

}  // namespace

Hdf5Handle& Hdf5Handle::operator=(Hdf5Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    close_ = other.close_;
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void Hdf5Handle::reset() noexcept {
  if (id_ >= 0 && close_ != nullptr) {
    close_(id_);
    H5Eclear2(H5E_DEFAULT);
  }
  id_ = H5I_INVALID_HID;
}

void Hdf5Handle::close(const std::string& what) {
  if (id_ < 0 || close_ == nullptr) return;
  hid_t id = id_;
  id_ = H5I_INVALID_HID;
  check(close_(id), what);
}

void silence_hdf5_error_printing() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

std::string take_hdf5_error_text() {
  std::vector<std::string> descriptions;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_description, &descriptions);
  H5Eclear2(H5E_DEFAULT);
  if (descriptions.empty()) return "HDF5 reported a failure without an explanation";
  // the outermost entry says what was attempted, the innermost why it failed; the middle is noise
  // ... unless a failed system call is the reason, wherever HDF5 put it
  std::string cause = descriptions.back();
  for (const auto& text : descriptions) {
    if (text.find("errno = ") != std::string::npos) cause = with_system_reason(text);
  }
  std::string attempt = descriptions.front();
  if (const auto details = attempt.find(", errno = "); details != std::string::npos) {
    attempt.resize(details);
  } else if (descriptions.size() == 1) {
    return cause;
  }
  return attempt + " (" + cause + ")";
}

void throw_hdf5_failure(const std::string& what) { throw ArchiveError(what + ": " + take_hdf5_error_text()); }

Hdf5Handle checked(hid_t id, Hdf5Closer close, const std::string& what) {
  if (id < 0) throw_hdf5_failure(what);
  return Hdf5Handle(id, close);
}

void check(herr_t status, const std::string& what) {
  if (status < 0) throw_hdf5_failure(what);
}

std::string object_path(hid_t object) {
  ssize_t length = H5Iget_name(object, nullptr, 0);
  if (length <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return "(unnamed object)";
  }
  std::string name(static_cast<std::size_t>(length) + 1, '\0');
  H5Iget_name(object, name.data(), name.size());
  name.resize(static_cast<std::size_t>(length));
  return name;
}

}  // namespace structlab::archive::detail
