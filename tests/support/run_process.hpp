#pragma once
// Runs a command line through the shell and captures what it printed and its exit status.

#include <string>

namespace structlab::testing {

/// What a finished command left behind.
struct ProcessResult {
  int exit_code = -1;  ///< exit status (128 + signal when killed)
  std::string out;     ///< standard output
  std::string err;     ///< standard error
};

/// Runs \p command with /bin/sh and waits for it.
ProcessResult run_process(const std::string& command);

/// Runs the built `structlab` program with \p arguments (already shell-quoted as needed).
ProcessResult run_structlab(const std::string& arguments);

/// The whole content of the file at \p path ("" when it cannot be read).
std::string read_text(const std::string& path);

/// True when \p text contains \p part.
inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// A fresh empty directory under the system temp dir, named after \p tag.
std::string make_temp_dir(const std::string& tag);

}  // namespace structlab::testing
