#pragma once
// Conversion of yaml-cpp nodes into structlab values; private to the core library (yaml-cpp stays out of
// the public API).

#include <yaml-cpp/yaml.h>

#include <string>

#include "structlab/params.hpp"

namespace structlab::spec::detail {

/// Where \p node starts in \p file (1-based line and column).
SourceLocation location_of(const YAML::Node& node, const std::string& file);

/// The typed value of a scalar or a flat sequence of scalars. Throws ConfigError naming \p key_path and
/// the node's location for a mapping, a null, a nested sequence or a sequence mixing strings and numbers.
ParamValue param_value_of(const YAML::Node& node, const std::string& file, const std::string& key_path);

/// Params from every entry of a mapping node except the keys in \p skip (e.g. "plugin").
Params params_of(const YAML::Node& mapping, const std::string& file, const std::string& key_path,
                 const std::vector<std::string>& skip);

}  // namespace structlab::spec::detail
