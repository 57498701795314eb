#pragma once
// Shared by the spec tests: writing spec text to a file and planning it against the fixture plugins.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "structlab/error.hpp"
#include "structlab/spec/loader.hpp"
#include "support/run_process.hpp"

namespace structlab::spec::testing {

namespace fs = std::filesystem;

/// The fixture plugins the specs below name: generator fixture_path (n required, label), dataset
/// fixture_dataset (samples >= 1, name), model fixture_model (hidden, activation relu|tanh), pruner
/// fixture_pruner (batches >= 1).
inline std::vector<fs::path> fixture_plugins() {
  return {fs::path(STRUCTLAB_TEST_FIXTURE_DIR) / "libfixture_good.so",
          fs::path(STRUCTLAB_TEST_FIXTURE_DIR) / "libfixture_spec_plugins.so"};
}

/// A minimal valid spec; tests append sections to it.
inline const char* const kMinimalSpec =
    "experiment: toy\n"
    "dataset: {plugin: fixture_dataset}\n"
    "structure: {plugin: fixture_path, n: 5}\n"
    "model: {plugin: fixture_model}\n";

/// Writes \p text to \p name in a fresh directory and returns the file's path.
inline fs::path write_spec(const std::string& text, const std::string& name = "spec.yaml") {
  fs::path file = fs::path(structlab::testing::make_temp_dir("spec")) / name;
  std::ofstream(file) << text;
  return file;
}

/// Plans \p text with \p overrides against the fixture plugins.
inline ExperimentPlan plan_text(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return plan_experiment(write_spec(text), overrides, fixture_plugins());
}

/// The message of the ConfigError planning \p text throws, with the file path replaced by "SPEC"; fails
/// the test when nothing or something else is thrown.
inline std::string config_error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  fs::path file = write_spec(text);
  try {
    plan_experiment(file, overrides, fixture_plugins());
  } catch (const ConfigError& e) {
    std::string message = e.what();
    for (auto at = message.find(file.string()); at != std::string::npos; at = message.find(file.string())) {
      message.replace(at, file.string().size(), "SPEC");
    }
    return message;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected a ConfigError, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected a ConfigError, the spec was accepted:\n" << text;
  return "";
}

}  // namespace structlab::spec::testing
