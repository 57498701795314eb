#pragma once
// Checks the plugin sections of a spec against the plugins found: the plugin exists, its parameters are
// known and well typed (defaults filled), and its constructor accepts them. Private to the core library.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spec/document.hpp"
#include "spec/problems.hpp"
#include "structlab/params.hpp"
#include "structlab/plugin/kind.hpp"
#include "structlab/plugin/pruner.hpp"
#include "structlab/plugin/registry.hpp"

namespace structlab::spec::detail {

/// A plugin's parameters after validation, with what the plugin declares (for telling defaults apart).
struct CheckedPlugin {
  Params params;                    ///< validated, defaults filled
  std::vector<ParamSpec> declared;  ///< the plugin's declared parameters
};

/// Validates plugin sections against a registry, constructing each distinct configuration once.
class PluginChecker {
 public:
  /// Checks against \p registry, which must outlive this checker.
  explicit PluginChecker(plugin::PluginRegistry& registry) : registry_(registry) {}

  /// Validates \p raw for the \p kind plugin named by \p name (written in \p section), then constructs it
  /// once per distinct parameter set so that its own range checks run. Records every failure in
  /// \p problems (an unknown plugin is reported at \p name's location under `<section>.plugin`) and
  /// returns nothing then.
  std::optional<CheckedPlugin> check(plugin::PluginKind kind, const std::string& section,
                                     const SpecValue& name, const SourceLocation& section_where,
                                     const Params& raw, Problems& problems);

  /// True when the model kind \p name, built with its validated \p params, needs the run's structure.
  /// Throws what the plugin's construction throws (check() reports that first).
  bool model_needs_structure(const std::string& name, const Params& params);

  /// How the pruning strategy \p name, built with its validated \p params, selects weights.
  /// Throws what the plugin's construction throws (check() reports that first).
  plugin::SelectionScope pruner_scope(const std::string& name, const Params& params);

  /// What the pruning strategy \p name, built with its validated \p params, scores (weights or units).
  /// Throws what the plugin's construction throws (check() reports that first).
  plugin::PruningGranularity pruner_granularity(const std::string& name, const Params& params);

 private:
  void construct(plugin::PluginKind kind, const std::string& name, const Params& params);

  plugin::PluginRegistry& registry_;
  // plugin identity + parameter text -> the constructor's error message ("" when it accepted them)
  std::map<std::string, std::string> constructed_;
};

}  // namespace structlab::spec::detail
