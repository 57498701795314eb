#pragma once
/// \file
/// Loading an experiment spec: YAML file + `--set` overrides -> a validated, ordered list of runs.

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "structlab/spec/experiment.hpp"

namespace structlab::spec {

/// Everything a runner needs: the runs of one experiment, in order, each fully resolved.
struct ExperimentPlan {
  std::string experiment;     ///< the experiment name
  std::string source_file;    ///< the spec file, as given
  std::vector<RunSpec> runs;  ///< grid points (first grid key varies slowest) x seeds (fastest)
  /// Extra plugin search path: the spec's plugin_paths (absolute) then the caller's extra paths; give it to
  /// plugin::PluginRegistry::with_default_paths() to find the plugins the plan was validated against.
  std::vector<std::filesystem::path> plugin_paths;
};

/// The run id of a run with \p spec_hash in \p experiment: `<experiment>-<first digits of the hash>`, or with
/// the whole hash when that short id is already in \p taken (two runs whose short ids collide stay apart).
/// Adds the id to \p taken.
std::string unique_run_id(const std::string& experiment, const std::string& spec_hash, std::set<std::string>& taken,
                          std::size_t digits = 10);

/// Reads \p spec_file, applies \p overrides (`key.path=value`, each value parsed by parse_param_value;
/// `grid.key.path=[...]` sets a grid axis; overriding a key the grid varies pins it), expands the grid
/// and the seeds into runs, and validates everything: keys, types, ranges and allowed values, and every
/// plugin (found on default_plugin_paths(), the spec's plugin_paths and \p extra_plugin_paths; its
/// parameters validated with defaults filled; constructed once per distinct parameter set).
/// Throws ConfigError for the first problem found, naming file:line:column (or the `--set` item), the
/// key path and what was expected; lets DuplicatePluginError from scanning the plugin path through.
ExperimentPlan plan_experiment(const std::filesystem::path& spec_file,
                               const std::vector<std::string>& overrides,
                               const std::vector<std::filesystem::path>& extra_plugin_paths);

/// Like plan_experiment() but returns every problem's message instead of throwing (empty: the spec is
/// valid). Never throws a structlab::Error: an unreadable file or a broken plugin path is one message.
std::vector<std::string> validate_experiment(const std::filesystem::path& spec_file,
                                             const std::vector<std::string>& overrides,
                                             const std::vector<std::filesystem::path>& extra_plugin_paths);

}  // namespace structlab::spec
