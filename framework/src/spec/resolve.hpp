#pragma once
// Turns the flat values of one grid point into typed sections: fixed keys typed with their defaults
// filled, plugin parameters validated by their plugin. Private to the core library.

#include <map>
#include <optional>
#include <string>

#include "spec/document.hpp"
#include "spec/plugin_check.hpp"
#include "spec/problems.hpp"
#include "spec/schema.hpp"

namespace structlab::spec::detail {

/// One section of the spec, resolved.
struct ResolvedSection {
  const SectionSchema* schema = nullptr;  ///< its shape
  SourceLocation where;                   ///< where it was written (its parent's place when implicit)
  Params fixed;                          ///< fixed keys, typed, defaults filled; a key is absent when invalid
  std::optional<SpecValue> plugin_name;  ///< plugin sections: the `plugin` value when valid
  std::optional<CheckedPlugin> plugin;   ///< plugin sections: the validated parameters, when valid

  /// True when every fixed key has a valid value and, for plugin sections, the plugin accepted its
  /// parameters.
  bool complete() const;
};

/// The sections present at one grid point, by path ("" is the top level).
using ResolvedSections = std::map<std::string, ResolvedSection>;

/// The plugin parameters written in plugin section \p section: every key of it that is not one of the section's
/// own, untyped (as written, with its location).
Params plugin_params_of(const SpecDocument& document, const SectionSchema& section);

/// Types the fixed keys of \p section (written at \p where), filling defaults; records a missing required
/// key or a mistyped value in \p problems and leaves that key out.
Params resolve_fixed_keys(const SpecDocument& document, const SectionSchema& section,
                          const SourceLocation& where, Problems& problems);

/// Resolves every present section of \p document (a missing required section is recorded), validating and
/// constructing plugins through \p plugins.
ResolvedSections resolve_sections(const SpecDocument& document, PluginChecker& plugins, Problems& problems);

}  // namespace structlab::spec::detail
