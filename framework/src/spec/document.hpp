#pragma once
// A spec file read into flat key paths (`training.lr` -> value and where it was written), with its grid
// and the command line's overrides applied. Private to the core library.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "spec/problems.hpp"
#include "structlab/params.hpp"

namespace structlab::spec::detail {

/// A value of the spec and where it was written.
struct SpecValue {
  ParamValue value;      ///< as written (typed by its YAML form)
  SourceLocation where;  ///< file:line:column of its key, or the `--set` item
};

/// One `grid:` entry: a key path and the values it takes, in the order written; or a joint axis (a structure
/// sample), each of whose values sets several key paths at once.
struct GridAxis {
  std::string key_path;           ///< e.g. "structure.p"; "structure.sample" for a joint axis
  SourceLocation where;           ///< where the axis was written
  std::vector<SpecValue> values;  ///< at least one; empty for a joint axis
  /// a joint axis: for each of its values, the key paths it sets and their values
  std::vector<std::vector<std::pair<std::string, SpecValue>>> joint;

  /// Number of values the axis takes.
  std::size_t size() const { return joint.empty() ? values.size() : joint.size(); }
  /// The key paths and values that value \p index of the axis sets.
  std::vector<std::pair<std::string, SpecValue>> assignments(std::size_t index) const {
    if (!joint.empty()) return joint.at(index);
    return {{key_path, values.at(index)}};
  }
};

/// A spec as flat key paths.
struct SpecDocument {
  std::string file;                                ///< the spec file, as given
  std::map<std::string, SpecValue> values;         ///< leaf key path -> value
  std::map<std::string, SourceLocation> sections;  ///< sections written (or created by a value set inside)
  std::vector<GridAxis> grid;                      ///< grid axes in the order written

  /// Sets \p key_path and marks every enclosing section as written.
  void set(const std::string& key_path, SpecValue value);
  /// The value at \p key_path, or null.
  const SpecValue* find(const std::string& key_path) const;
  /// True when the section \p path was written.
  bool has_section(const std::string& path) const { return sections.count(path) > 0; }
};

/// Reads \p file. Throws ConfigError when it cannot be read, is not YAML (naming file:line:column) or is
/// not a mapping; records unknown keys, duplicate keys and malformed values in \p problems and goes on.
SpecDocument read_spec_document(const std::filesystem::path& file, Problems& problems);

/// Applies one `key.path=value` override (or `grid.key.path=[values]`, which replaces or adds a grid axis).
/// Overriding a key the grid varies pins it: that axis is dropped. Records a malformed item or an unknown
/// key in \p problems.
void apply_override(SpecDocument& document, const std::string& assignment, Problems& problems);

}  // namespace structlab::spec::detail
