#pragma once
// Runs a one-run spec written in a test with the `structlab` program and reads its archive back.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "structlab/archive/run_archive.hpp"
#include "support/run_process.hpp"

namespace structlab::testing {

/// `structlab run` on \p spec_text, written to a fresh directory named after \p tag; what the program left.
inline ProcessResult run_spec_text(const std::string& tag, const std::string& spec_text) {
  const std::string dir = make_temp_dir(tag);
  std::ofstream(dir + "/spec.yaml") << spec_text;
  return run_structlab("run " + dir + "/spec.yaml --out " + dir + "/out");
}

/// `structlab run` on \p spec_text (written to a fresh directory named after \p tag, \p options appended to the
/// command line); the run's archive as read back, or an empty summary and a test failure when the run failed or
/// wrote none.
inline archive::ArchiveSummary run_spec_and_read(const std::string& tag, const std::string& spec_text,
                                                 const std::string& options = "") {
  const std::string dir = make_temp_dir(tag);
  std::ofstream(dir + "/spec.yaml") << spec_text;
  const auto result = run_structlab("run " + dir + "/spec.yaml --out " + dir + "/out " + options);
  EXPECT_EQ(result.exit_code, 0) << result.err << result.out;
  if (std::filesystem::is_directory(dir + "/out")) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir + "/out")) {
      if (entry.path().extension() == ".h5") return archive::read_archive(entry.path());
    }
  }
  ADD_FAILURE() << "no archive written for " << tag;
  return {};
}

}  // namespace structlab::testing
