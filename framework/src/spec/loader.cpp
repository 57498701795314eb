#include "structlab/spec/loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>

#include "core/plain_text.hpp"
#include "spec/canonical.hpp"
#include "spec/document.hpp"
#include "spec/plugin_check.hpp"
#include "spec/problems.hpp"
#include "spec/resolve.hpp"
#include "spec/schema.hpp"
#include "spec/structure_sample.hpp"
#include "spec/typed_sections.hpp"
#include "structlab/plugin/registry.hpp"

namespace structlab::spec {
namespace fs = std::filesystem;
using namespace detail;

namespace {

struct PlanOutcome {
  ExperimentPlan plan;
  Problems problems;
};

// Longest experiment name: `<name>-<16 hex digits>.h5.partial` and `.ckpt.tmp` must fit a 255-byte file name.
constexpr std::size_t kMaxExperimentNameLength = 200;

// One path component made of portable characters, not "." or "..", short enough for the files it names.
bool is_plain_file_name(const std::string& name) {
  return name.size() <= kMaxExperimentNameLength && name != "." && name != ".." &&
         structlab::detail::is_word_text(name, "_.-");
}

// The top-level keys, which no grid point can change.
struct TopLevel {
  std::string experiment;
  std::vector<std::uint64_t> seeds;
  std::vector<fs::path> plugin_paths;  // absolute
};

TopLevel read_top_level(const SpecDocument& document, Problems& problems) {
  const SectionSchema& root = *find_section("");
  SourceLocation root_where = document.sections.at("");
  Params keys = resolve_fixed_keys(document, root, root_where, problems);
  TopLevel top;

  if (keys.has("experiment")) {
    top.experiment = keys.get_string("experiment");
    if (!is_plain_file_name(top.experiment)) {
      // a long value is shortened in the message: the user needs to recognise it, not read it again
      const std::string shown = structlab::detail::shortened(to_yaml(keys.value("experiment")));
      problems.add(keys.location_of("experiment"), "experiment",
                   fmt::format("expected a name of 1 to {} letters, digits, '_', '.' and '-', other than '.' and "
                               "'..' (it names a folder and files), got {}",
                               kMaxExperimentNameLength, shown));
    }
  }

  if (keys.has("seeds")) {
    SourceLocation where = keys.location_of("seeds");
    std::vector<std::int64_t> seeds = keys.get_int_list("seeds");
    if (seeds.empty()) problems.add(where, "seeds", "expected at least one seed, e.g. [1]");
    std::set<std::int64_t> seen;
    for (std::int64_t seed : seeds) {
      if (seed < 0) {
        problems.add(where, "seeds", fmt::format("expected non-negative integers, got {}", seed));
      } else if (!seen.insert(seed).second) {
        problems.add(where, "seeds", fmt::format("seed {} is listed twice (it would repeat a run)", seed));
      } else {
        top.seeds.push_back(static_cast<std::uint64_t>(seed));
      }
    }
  }

  if (keys.has("plugin_paths")) {
    fs::path base = fs::absolute(fs::path(document.file)).parent_path();
    for (const auto& item : keys.get_string_list("plugin_paths")) {
      fs::path path = (base / item).lexically_normal();
      std::error_code error;
      if (!fs::exists(path, error)) {
        problems.add(keys.location_of("plugin_paths"), "plugin_paths",
                     fmt::format("{} does not exist (paths are relative to the spec file)", path.string()));
      } else {
        top.plugin_paths.push_back(path);
      }
    }
  }
  return top;
}

// The value index of each axis at grid point \p point (0-based, the first axis varying slowest).
std::vector<std::size_t> grid_point_at(const std::vector<GridAxis>& grid, std::uint64_t point) {
  std::vector<std::size_t> values(grid.size());
  for (std::size_t axis = grid.size(); axis-- > 0;) {
    const std::uint64_t count = grid[axis].size();
    values[axis] = static_cast<std::size_t>(point % count);
    point /= count;
  }
  return values;
}

// The grid point whose values are the first of every axis except \p axis, which has its \p value-th.
std::vector<std::size_t> grid_point_varying(const std::vector<GridAxis>& grid, std::size_t axis, std::size_t value) {
  std::vector<std::size_t> values(grid.size(), 0);
  values[axis] = value;
  return values;
}

// One grid point, resolved: what its runs share, before the seed is set.
struct ResolvedPoint {
  RunSpec base;
  ResolvedSections sections;
  std::string text;  // "key=value, ..." for messages
};

// Resolves the grid point with \p values; records its problems and returns nothing when it is invalid.
std::optional<ResolvedPoint> resolve_point(const SpecDocument& document, const std::vector<std::size_t>& values,
                                           const TopLevel& top, PluginChecker& plugins, Problems& problems) {
  SpecDocument at_point = document;
  ResolvedPoint point;
  for (std::size_t axis = 0; axis < values.size(); ++axis) {
    for (auto& [key_path, value] : document.grid[axis].assignments(values[axis])) {
      point.base.grid_point.emplace_back(key_path, to_yaml(value.value));
      at_point.set(key_path, std::move(value));
    }
  }
  point.sections = resolve_sections(at_point, plugins, problems);
  if (!fill_typed_sections(point.sections, point.base, problems) || !problems.empty()) return std::nullopt;
  point.base.experiment = top.experiment;
  point.base.source_file = document.file;
  for (const auto& path : top.plugin_paths) point.base.plugin_paths.push_back(path.string());
  for (const auto& [key, value] : point.base.grid_point)
    point.text += (point.text.empty() ? "" : ", ") + key + "=" + value;
  return point;
}

// The run of \p point with \p seed; its id and index are the caller's to set.
RunSpec run_of_point(const ResolvedPoint& point, std::uint64_t seed) {
  RunSpec run = point.base;
  CanonicalTexts texts = canonical_texts(point.sections, seed);
  run.seed = seed;
  run.canonical_yaml = texts.full;
  run.spec_hash = fnv1a_64_hex(texts.without_defaults);
  return run;
}

// Grid points x seeds (at most kMaxRunsPerSpec + 1); records a problem when the sweep is larger than allowed.
std::uint64_t count_runs(const SpecDocument& document, const TopLevel& top, Problems& problems) {
  std::uint64_t count = top.seeds.size();
  std::string factors = fmt::format("{} seeds", top.seeds.size());
  for (const auto& axis : document.grid) {
    count = std::min<std::uint64_t>(count * axis.size(), kMaxRunsPerSpec + 1);
    factors += axis.joint.empty() ? fmt::format(" x {} values of {}", axis.size(), axis.key_path)
                                  : fmt::format(" x {} sampled structures", axis.size());
  }
  if (count > kMaxRunsPerSpec) {
    problems.add(document.grid.empty() ? document.sections.at("") : document.grid.front().where,
                 document.grid.empty() ? "seeds" : document.grid.front().joint.empty() ? "grid" : "structure.sample",
                 fmt::format("{} give more than {} runs, the most one spec may have; split the sweep into several "
                             "specs (each can run as its own Slurm array)",
                             factors, kMaxRunsPerSpec));
  }
  return count;
}

// Builds and validates every run, checking that no two grid points resolve to the same run.
void plan_every_run(const SpecDocument& document, const TopLevel& top, PluginChecker& plugins, ExperimentPlan& plan,
                    Problems& problems) {
  std::map<std::string, std::string> first_point_of_hash;  // spec hash -> the grid point that produced it
  std::set<std::string> ids;
  const std::uint64_t points = top.seeds.empty() ? 0 : plan.total_runs / top.seeds.size();
  for (std::uint64_t p = 0; p < points; ++p) {
    std::optional<ResolvedPoint> point =
        resolve_point(document, grid_point_at(document.grid, p), top, plugins, problems);
    if (!point) continue;
    for (std::uint64_t seed : top.seeds) {
      RunSpec run = run_of_point(*point, seed);
      run.index = static_cast<std::int64_t>(plan.runs.size());
      auto [it, fresh] = first_point_of_hash.emplace(run.spec_hash, point->text);
      if (!fresh) {
        problems.add(
            document.grid.empty() ? document.sections.at("") : document.grid.front().where, "grid",
            fmt::format("grid points ({}) and ({}) resolve to the same run {}-{}; remove one of the values",
                        it->second, point->text, top.experiment, run.spec_hash.substr(0, 10)));
        continue;
      }
      run.run_id = unique_run_id(top.experiment, run.spec_hash, ids);
      plan.runs.push_back(std::move(run));
    }
  }
}

}  // namespace

namespace detail {

/// What a large plan needs to build any of its runs on demand. Not copyable: the checker refers to the registry.
struct LargeGrid {
  SpecDocument document;                   ///< the spec with its overrides applied
  TopLevel top;                            ///< its experiment name, seeds and plugin paths
  std::unique_ptr<plugin::PluginRegistry> registry;  ///< the plugins it was validated against
  std::unique_ptr<PluginChecker> plugins;  ///< caches constructed plugins: used under mutex
  std::mutex mutex;                        ///< one run_at() at a time resolves
};

}  // namespace detail

namespace {

// Validates each distinct grid value once (the other axes at their first value); keeps what run_at() needs.
void plan_large_grid(SpecDocument document, TopLevel top, plugin::PluginRegistry registry, ExperimentPlan& plan,
                     Problems& problems) {
  auto large = std::make_shared<LargeGrid>();
  large->document = std::move(document);
  large->top = std::move(top);
  large->registry = std::make_unique<plugin::PluginRegistry>(std::move(registry));
  large->plugins = std::make_unique<PluginChecker>(*large->registry);
  const auto& grid = large->document.grid;
  for (std::size_t axis = 0; axis < grid.size(); ++axis) {
    for (std::size_t value = axis == 0 ? 0 : 1; value < grid[axis].size(); ++value) {
      resolve_point(large->document, grid_point_varying(grid, axis, value), large->top, *large->plugins, problems);
    }
  }
  plan.large = std::move(large);
}

PlanOutcome plan(const fs::path& spec_file, const std::vector<std::string>& overrides,
                 const std::vector<fs::path>& extra_plugin_paths) {
  PlanOutcome outcome;
  Problems& problems = outcome.problems;
  SpecDocument document = read_spec_document(spec_file, problems);
  for (const auto& item : overrides) apply_override(document, item, problems);
  TopLevel top = read_top_level(document, problems);

  ExperimentPlan& plan = outcome.plan;
  plan.experiment = top.experiment;
  plan.source_file = document.file;
  plan.plugin_paths = top.plugin_paths;
  plan.plugin_paths.insert(plan.plugin_paths.end(), extra_plugin_paths.begin(), extra_plugin_paths.end());
  plugin::PluginRegistry registry = plugin::PluginRegistry::with_default_paths(plan.plugin_paths);
  // the graphs a structure sample keeps become the first axis of the sweep
  plan.structure_sample = expand_structure_sample(document, registry, problems);
  // counted before anything is expanded: three axes of 1000 values must not be built to be refused
  plan.total_runs = count_runs(document, top, problems);
  if (plan.total_runs > kMaxRunsPerSpec) return outcome;
  if (plan.total_runs > kWholePlanRunLimit) {
    plan_large_grid(std::move(document), std::move(top), std::move(registry), plan, problems);
  } else {
    PluginChecker plugins(registry);
    plan_every_run(document, top, plugins, plan, problems);
  }
  return outcome;
}

}  // namespace

std::string unique_run_id(const std::string& experiment, const std::string& spec_hash, std::set<std::string>& taken,
                          std::size_t digits) {
  // two different runs whose short ids collide are told apart by the whole hash, never merged
  std::string id = experiment + "-" + spec_hash.substr(0, digits);
  if (!taken.insert(id).second) {
    id = experiment + "-" + spec_hash;
    taken.insert(id);
  }
  return id;
}

RunSpec ExperimentPlan::run_at(std::uint64_t index) const {
  const std::uint64_t count = run_count();
  if (index >= count) {
    throw ConfigError(fmt::format("run {} of experiment '{}': it has {} runs, so expected 0..{}", index, experiment,
                                  count, count == 0 ? 0 : count - 1));
  }
  if (!large) return runs.at(index);
  const std::uint64_t seeds = large->top.seeds.size();
  Problems problems;
  std::optional<ResolvedPoint> point;
  {
    std::lock_guard<std::mutex> guard(large->mutex);
    point = resolve_point(large->document, grid_point_at(large->document.grid, index / seeds), large->top,
                          *large->plugins, problems);
  }
  if (!point) {
    throw ConfigError(fmt::format("run {} of experiment '{}' (a large grid: each value was validated on its own, "
                                  "this combination only now): {}",
                                  index, experiment, problems.messages().front()));
  }
  RunSpec run = run_of_point(*point, large->top.seeds[index % seeds]);
  run.index = static_cast<std::int64_t>(index);
  // no list of every run to tell colliding short ids apart: the whole 16-digit hash is the id
  run.run_id = experiment + "-" + run.spec_hash;
  return run;
}

ExperimentPlan plan_experiment(const fs::path& spec_file, const std::vector<std::string>& overrides,
                               const std::vector<fs::path>& extra_plugin_paths) {
  PlanOutcome outcome = plan(spec_file, overrides, extra_plugin_paths);
  if (!outcome.problems.empty()) throw ConfigError(outcome.problems.messages().front());
  return std::move(outcome.plan);
}

std::vector<std::string> validate_experiment(const fs::path& spec_file,
                                             const std::vector<std::string>& overrides,
                                             const std::vector<fs::path>& extra_plugin_paths) {
  try {
    return plan(spec_file, overrides, extra_plugin_paths).problems.messages();
  } catch (const Error& e) {
    return {e.what()};
  }
}

}  // namespace structlab::spec
