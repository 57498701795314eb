#pragma once
// The shape of an experiment spec: its sections, the fixed keys of each (type and default), and which
// sections pass their other keys to a plugin. Private to the core library.

#include <optional>
#include <string>
#include <vector>

#include "structlab/params.hpp"
#include "structlab/plugin/kind.hpp"

namespace structlab::spec::detail {

/// Whether a section must be written, may be left out, or always exists with its defaults.
enum class Presence { required, optional, implicit };

/// One mapping of the spec, e.g. `training` or `pruning.schedule`.
struct SectionSchema {
  std::string path;                               ///< key path; "" for the top level
  Presence presence = Presence::implicit;         ///< whether it must be written
  std::vector<ParamSpec> keys;                    ///< fixed keys; no default = required
  std::vector<std::string> subsections;           ///< names of nested sections
  std::optional<plugin::PluginKind> plugin_kind;  ///< set: every other key is a plugin parameter
  bool free_keys = false;  ///< every key holds a value checked by whoever reads the section (sample ranges, bins)
};

/// Every section, parents before children.
const std::vector<SectionSchema>& spec_sections();

/// The section at \p path, or null.
const SectionSchema* find_section(const std::string& path);

/// The fixed key \p key of \p section, or null.
const ParamSpec* find_key(const SectionSchema& section, const std::string& key);

/// The keys a user may write in \p section (fixed keys and subsections; `grid` at the top level).
std::vector<std::string> allowed_keys(const SectionSchema& section);

/// `parent.key`, or `key` at the top level.
std::string join_path(const std::string& parent, const std::string& key);

/// Everything before the last dot ("" when there is none).
std::string parent_of(const std::string& key_path);

/// Everything after the last dot.
std::string leaf_of(const std::string& key_path);

/// What a key path names.
enum class PathKind { fixed_key, plugin_param, free_key, section, unknown };

/// Classifies \p key_path against the schema.
PathKind classify_path(const std::string& key_path);

/// Why \p key_path is no key that can hold a value, listing what is allowed where it goes wrong;
/// for use after classify_path() said section or unknown.
std::string explain_bad_path(const std::string& key_path);

}  // namespace structlab::spec::detail
