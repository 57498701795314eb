#include "structlab/spec/loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "core/plain_text.hpp"
#include "spec/canonical.hpp"
#include "spec/document.hpp"
#include "spec/plugin_check.hpp"
#include "spec/problems.hpp"
#include "spec/resolve.hpp"
#include "spec/schema.hpp"
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
// Most runs one plan may hold: every run is planned and validated up front.
constexpr std::uint64_t kMaxRunsPerPlan = 100000;

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

// Every combination of one value per axis, the first axis varying slowest.
std::vector<std::vector<const SpecValue*>> grid_points(const std::vector<GridAxis>& grid) {
  std::vector<std::vector<const SpecValue*>> points{{}};
  for (const auto& axis : grid) {
    std::vector<std::vector<const SpecValue*>> next;
    for (const auto& point : points) {
      for (const auto& value : axis.values) {
        next.push_back(point);
        next.back().push_back(&value);
      }
    }
    points = std::move(next);
  }
  return points;
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
  PluginChecker plugins(registry);

  std::vector<std::string> spec_plugin_paths;
  for (const auto& path : top.plugin_paths) spec_plugin_paths.push_back(path.string());
  std::map<std::string, std::string> first_point_of_hash;  // spec hash -> the grid point that produced it
  std::set<std::string> ids;

  // refuse a grid too large to plan before expanding it: three axes of 1000 values would not fit in memory
  std::uint64_t planned = std::max<std::uint64_t>(top.seeds.size(), 1);
  std::string factors = fmt::format("{} seeds", top.seeds.size());
  for (const auto& axis : document.grid) {
    planned = axis.values.empty() ? 0 : std::min<std::uint64_t>(planned * axis.values.size(), kMaxRunsPerPlan + 1);
    factors += fmt::format(" x {} values of {}", axis.values.size(), axis.key_path);
  }
  if (planned > kMaxRunsPerPlan) {
    problems.add(document.grid.empty() ? document.sections.at("") : document.grid.front().where,
                 document.grid.empty() ? "seeds" : "grid",
                 fmt::format("{} give more than {} runs, the most one spec may plan; split the sweep into several "
                             "specs (each can run as its own Slurm array)",
                             factors, kMaxRunsPerPlan));
    return outcome;
  }

  for (const auto& point : grid_points(document.grid)) {
    SpecDocument at_point = document;
    RunSpec base;
    for (std::size_t axis = 0; axis < point.size(); ++axis) {
      at_point.set(document.grid[axis].key_path, *point[axis]);
      base.grid_point.emplace_back(document.grid[axis].key_path, to_yaml(point[axis]->value));
    }
    ResolvedSections sections = resolve_sections(at_point, plugins, problems);
    if (!fill_typed_sections(sections, base, problems) || !problems.empty()) continue;

    base.experiment = top.experiment;
    base.source_file = document.file;
    base.plugin_paths = spec_plugin_paths;
    std::string point_text;
    for (const auto& [key, value] : base.grid_point)
      point_text += (point_text.empty() ? "" : ", ") + key + "=" + value;
    for (std::uint64_t seed : top.seeds) {
      RunSpec run = base;
      CanonicalTexts texts = canonical_texts(sections, seed);
      run.seed = seed;
      run.canonical_yaml = texts.full;
      run.spec_hash = fnv1a_64_hex(texts.without_defaults);
      run.index = static_cast<std::int64_t>(plan.runs.size());
      auto [it, fresh] = first_point_of_hash.emplace(run.spec_hash, point_text);
      if (!fresh) {
        problems.add(
            document.grid.empty() ? document.sections.at("") : document.grid.front().where, "grid",
            fmt::format("grid points ({}) and ({}) resolve to the same run {}-{}; remove one of the values",
                        it->second, point_text, top.experiment, run.spec_hash.substr(0, 10)));
        continue;
      }
      run.run_id = unique_run_id(top.experiment, run.spec_hash, ids);
      plan.runs.push_back(std::move(run));
    }
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
