#pragma once
/// \file
/// Loading an experiment spec: YAML file + `--set` overrides -> a validated, ordered list of runs.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "structlab/spec/experiment.hpp"
#include "structlab/spec/structure_sample.hpp"

namespace structlab::spec {

namespace detail {
struct LargeGrid;
}

/// Plans of up to this many runs are planned whole: every run built and validated up front, held in `runs`.
inline constexpr std::uint64_t kWholePlanRunLimit = 10000;
/// The most runs one spec may give (grid points x seeds); a larger sweep is refused before anything is expanded.
inline constexpr std::uint64_t kMaxRunsPerSpec = 10000000;

/// Everything a runner needs: the runs of one experiment, in order, each fully resolved.
/// A plan of more than kWholePlanRunLimit runs does not hold them: its runs are built one at a time by run_at().
struct ExperimentPlan {
  std::string experiment;     ///< the experiment name
  std::string source_file;    ///< the spec file, as given
  std::vector<RunSpec> runs;  ///< grid points (first grid key varies slowest) x seeds (fastest); empty when large
  /// Extra plugin search path: the spec's plugin_paths (absolute) then the caller's extra paths; give it to
  /// plugin::PluginRegistry::with_default_paths() to find the plugins the plan was validated against.
  std::vector<std::filesystem::path> plugin_paths;
  std::uint64_t total_runs = 0;  ///< a large plan: how many runs it has (a plan that holds them: runs.size())
  /// Set for a large plan: what builds its runs on demand (the spec, its grid, the plugins).
  std::shared_ptr<detail::LargeGrid> large;
  /// What the spec's `structure.sample` drew and kept, when it has one; its graphs are the sweep's first axis.
  std::optional<StructureSample> structure_sample;

  /// How many runs the plan has.
  std::uint64_t run_count() const { return large ? total_runs : runs.size(); }
  /// Run \p index (0 <= index < run_count()): a copy of runs[index], or, for a large plan, built and validated
  /// now (its id is `<experiment>-<whole 16-digit spec hash>`). Throws ConfigError naming the grid point when
  /// that combination of values is invalid; safe to call from several threads.
  RunSpec run_at(std::uint64_t index) const;
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
/// A large plan (more than kWholePlanRunLimit runs) expands nothing: each distinct grid value is validated
/// once, with the other axes at their first value; more than kMaxRunsPerSpec runs are refused.
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
