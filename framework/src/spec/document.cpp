#include "spec/document.hpp"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <set>

#include "core/plain_text.hpp"
#include "spec/schema.hpp"
#include "spec/yaml_value.hpp"
#include "structlab/spec/value_text.hpp"

namespace structlab::spec::detail {
namespace fs = std::filesystem;
namespace {

std::string node_kind(const YAML::Node& node) {
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  if (node.IsNull()) return "nothing (null)";
  return "the value " + node.Scalar();
}

// A grid axis may vary any key that holds a value, except the top-level ones: seeds already repeat runs,
// and a grid over the experiment name or plugin paths would not describe one experiment.
bool check_grid_key(const std::string& key_path, const SourceLocation& where, Problems& problems) {
  PathKind kind = classify_path(key_path);
  if (kind == PathKind::section || kind == PathKind::unknown) {
    problems.add(where, "grid." + key_path, explain_bad_path(key_path));
    return false;
  }
  if (key_path.rfind("structure.sample.", 0) == 0) {
    problems.add(where, "grid." + key_path,
                 "the grid cannot vary the structure sample; write one sample (it becomes an axis of its own)");
    return false;
  }
  if (parent_of(key_path).empty()) {
    problems.add(where, "grid." + key_path,
                 "the grid cannot vary a top-level key; list repetitions under seeds instead");
    return false;
  }
  return true;
}

void read_grid(const YAML::Node& node, const std::string& file, const SourceLocation& grid_where,
               SpecDocument& document, Problems& problems) {
  if (!node.IsMap()) {
    problems.add(grid_where, "grid",
                 "expected a mapping of key path -> list of values, got " + node_kind(node));
    return;
  }
  std::set<std::string> seen;
  for (const auto& entry : node) {
    SourceLocation where = location_of(entry.first, file);
    if (!entry.first.IsScalar()) {
      problems.add(where, "grid", "a grid key must be a key path such as structure.p");
      continue;
    }
    std::string key_path = entry.first.Scalar();
    if (!seen.insert(key_path).second) {
      problems.add(where, "grid." + key_path, "duplicate grid key; each key path may appear once");
      continue;
    }
    if (!check_grid_key(key_path, where, problems)) continue;
    if (!entry.second.IsSequence() || entry.second.size() == 0) {
      problems.add(where, "grid." + key_path,
                   "expected a non-empty list of values, e.g. [0.1, 0.5], got " + node_kind(entry.second));
      continue;
    }
    GridAxis axis{key_path, where, {}, {}};
    bool all_valid = true;
    for (const auto& item : entry.second) {
      all_valid &= problems.collect([&] {
        axis.values.push_back(
            SpecValue{param_value_of(item, file, "grid." + key_path), location_of(item, file)});
      });
    }
    if (all_valid) document.grid.push_back(std::move(axis));
  }
}

void read_section(const YAML::Node& node, const SectionSchema& section, const std::string& file,
                  SpecDocument& document, Problems& problems) {
  document.sections[section.path] = location_of(node, file);
  std::set<std::string> seen;
  for (const auto& entry : node) {
    SourceLocation where = location_of(entry.first, file);
    if (!entry.first.IsScalar()) {
      problems.add(where, section.path.empty() ? "(top level)" : section.path, "keys must be plain names");
      continue;
    }
    const std::string key = entry.first.Scalar();
    const std::string path = join_path(section.path, key);
    if (!seen.insert(key).second) {
      problems.add(where, path, "duplicate key; each key may appear once in a section");
      continue;
    }
    if (section.path.empty() && key == "grid") {
      read_grid(entry.second, file, where, document, problems);
    } else if (std::find(section.subsections.begin(), section.subsections.end(), key) !=
               section.subsections.end()) {
      if (entry.second.IsMap()) {
        read_section(entry.second, *find_section(path), file, document, problems);
      } else {
        problems.add(where, path, "expected a section (a mapping of keys), got " + node_kind(entry.second));
      }
    } else if (find_key(section, key) != nullptr || section.plugin_kind || section.free_keys) {
      problems.collect([&] {
        document.values[path] = SpecValue{param_value_of(entry.second, file, path), where};
      });
    } else {
      problems.add(where, path, explain_bad_path(path));
    }
  }
}

YAML::Node load_yaml(const fs::path& file) {
  std::error_code error;
  if (!fs::exists(file, error)) throw ConfigError(file.string() + ": spec file not found");
  if (fs::is_directory(file, error)) throw ConfigError(file.string() + ": is a directory, not a spec file");
  try {
    return YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    throw ConfigError(file.string() + ": cannot read the spec file (permissions?)");
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp stops before its recursion can overflow the stack; a spec is never nested this deep
    throw ConfigError(fmt::format("{}:{}:{}: YAML syntax error: nesting depth {} is more than a spec may have "
                                  "(lists and mappings nested a few levels at most)",
                                  file.string(), e.mark.line + 1, e.mark.column + 1, e.depth()));
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}:{}: YAML syntax error: {}", file.string(), e.mark.line + 1,
                                  e.mark.column + 1, e.msg));
  }
}

}  // namespace

void SpecDocument::set(const std::string& key_path, SpecValue value) {
  for (std::string section = parent_of(key_path); !section.empty(); section = parent_of(section)) {
    sections.emplace(section, value.where);
  }
  values[key_path] = std::move(value);
}

const SpecValue* SpecDocument::find(const std::string& key_path) const {
  auto it = values.find(key_path);
  return it == values.end() ? nullptr : &it->second;
}

SpecDocument read_spec_document(const fs::path& file, Problems& problems) {
  YAML::Node root = load_yaml(file);
  SpecDocument document;
  document.file = file.string();
  if (root.IsNull()) {
    throw ConfigError(document.file + ": the spec is empty; it needs at least experiment, dataset and model");
  }
  if (!root.IsMap()) {
    throw ConfigError(location_of(root, document.file).to_string() +
                      ": expected a mapping of spec keys (experiment, dataset, model, ...), got " +
                      node_kind(root));
  }
  read_section(root, *find_section(""), document.file, document, problems);
  return document;
}

void apply_override(SpecDocument& document, const std::string& assignment, Problems& problems) {
  const SourceLocation where{"--set " + structlab::detail::shortened(assignment), 0, 0};
  auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    problems.add(where.file + ": expected key.path=value, e.g. training.lr=0.1");
    return;
  }
  const std::string key_path = assignment.substr(0, equals);
  const std::string text = assignment.substr(equals + 1);
  ParamValue value;
  try {
    value = parse_param_value(text, key_path);
  } catch (const ConfigError& e) {
    problems.add(where.file + ": " + e.what());
    return;
  }

  if (key_path == "grid") {
    problems.add(where, key_path, "set one grid axis at a time: --set grid.<key.path>=[value, ...]");
    return;
  }
  if (key_path.rfind("grid.", 0) == 0) {
    std::string axis_path = key_path.substr(5);
    if (!check_grid_key(axis_path, where, problems)) return;
    GridAxis axis{axis_path, where, {}, {}};
    // a list value is the axis' values; a single value is an axis of one
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::vector<std::int64_t>> ||
                        std::is_same_v<V, std::vector<double>> ||
                        std::is_same_v<V, std::vector<std::string>>) {
            for (const auto& item : v) axis.values.push_back(SpecValue{ParamValue(item), where});
          } else {
            axis.values.push_back(SpecValue{ParamValue(v), where});
          }
        },
        value);
    if (axis.values.empty()) {
      problems.add(where, key_path, "a grid axis needs at least one value");
      return;
    }
    auto existing = std::find_if(document.grid.begin(), document.grid.end(),
                                 [&](const GridAxis& a) { return a.key_path == axis_path; });
    if (existing != document.grid.end()) {
      *existing = std::move(axis);
    } else {
      document.grid.push_back(std::move(axis));
    }
    return;
  }

  PathKind kind = classify_path(key_path);
  if (kind != PathKind::fixed_key && kind != PathKind::plugin_param && kind != PathKind::free_key) {
    problems.add(where, key_path, explain_bad_path(key_path));
    return;
  }
  document.set(key_path, SpecValue{std::move(value), where});
  document.grid.erase(std::remove_if(document.grid.begin(), document.grid.end(),
                                     [&](const GridAxis& axis) { return axis.key_path == key_path; }),
                      document.grid.end());
}

}  // namespace structlab::spec::detail
