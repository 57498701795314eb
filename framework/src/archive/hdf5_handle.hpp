#pragma once
// RAII ownership of HDF5 identifiers and the translation of HDF5's error stack into ArchiveError messages.
// Private to the archive implementation: HDF5 types never appear in public headers.

#include <hdf5.h>

#include <string>

namespace structlab::archive::detail {

/// Function that releases one kind of HDF5 identifier (H5Fclose, H5Dclose, ...).
using Hdf5Closer = herr_t (*)(hid_t);

/// Owns one HDF5 identifier and releases it on destruction, so no error path leaks a handle.
class Hdf5Handle {
 public:
  /// An empty handle.
  Hdf5Handle() = default;
  /// Takes ownership of \p id, released with \p close.
  Hdf5Handle(hid_t id, Hdf5Closer close) : id_(id), close_(close) {}
  /// Releases the identifier, ignoring a failure (destructors must not throw).
  ~Hdf5Handle() { reset(); }
  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;
  /// Takes the identifier of \p other.
  Hdf5Handle(Hdf5Handle&& other) noexcept : id_(other.id_), close_(other.close_) {
    other.id_ = H5I_INVALID_HID;
  }
  /// Releases ours, then takes the identifier of \p other.
  Hdf5Handle& operator=(Hdf5Handle&& other) noexcept;

  /// The raw identifier for HDF5 calls.
  hid_t get() const { return id_; }
  /// True when an identifier is held.
  bool valid() const { return id_ >= 0; }
  /// Releases the identifier now, ignoring a failure.
  void reset() noexcept;
  /// Releases the identifier now; throws ArchiveError naming \p what when HDF5 reports a failure
  /// (closing a file flushes it, so this is where a full disk shows up).
  void close(const std::string& what);

 private:
  hid_t id_ = H5I_INVALID_HID;
  Hdf5Closer close_ = nullptr;
};

/// Turns off HDF5's automatic printing of its error stack for the calling thread (the library is
/// thread-safe, so the setting is per thread); every public archive function calls it first.
void silence_hdf5_error_printing();

/// The descriptions on the calling thread's HDF5 error stack, outermost cause first, then clears it.
std::string take_hdf5_error_text();

/// Throws ArchiveError "<what>: <HDF5's explanation>".
[[noreturn]] void throw_hdf5_failure(const std::string& what);

/// Returns a handle owning \p id, or throws ArchiveError naming \p what when \p id signals failure.
Hdf5Handle checked(hid_t id, Hdf5Closer close, const std::string& what);

/// Throws ArchiveError naming \p what when \p status signals failure.
void check(herr_t status, const std::string& what);

/// The path of an open object inside its file, e.g. "/stages/00", for messages.
std::string object_path(hid_t object);

}  // namespace structlab::archive::detail
