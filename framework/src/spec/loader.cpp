#include "structlab/spec/loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

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
    static const std::regex name(R"(^[A-Za-z0-9_.-]+$)");
    top.experiment = keys.get_string("experiment");
    if (!std::regex_match(top.experiment, name)) {
      problems.add(
          keys.location_of("experiment"), "experiment",
          fmt::format("expected a name of letters, digits, '_', '.' and '-' (it names files), got {}",
                      to_yaml(keys.value("experiment"))));
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
  std::map<std::string, std::string> first_point_of_id;  // run id -> the grid point that produced it

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
      run.run_id = top.experiment + "-" + run.spec_hash.substr(0, 10);
      run.index = static_cast<std::int64_t>(plan.runs.size());
      auto [it, fresh] = first_point_of_id.emplace(run.run_id, point_text);
      if (!fresh) {
        problems.add(
            document.grid.empty() ? document.sections.at("") : document.grid.front().where, "grid",
            fmt::format("grid points ({}) and ({}) resolve to the same run {}; remove one of the values",
                        it->second, point_text, run.run_id));
        continue;
      }
      plan.runs.push_back(std::move(run));
    }
  }
  return outcome;
}

}  // namespace

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
