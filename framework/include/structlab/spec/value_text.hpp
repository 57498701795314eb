#pragma once
/// \file
/// Parameter values written as text: `key=value` on the command line, YAML scalars and flow lists.

#include <string>
#include <vector>

#include "structlab/params.hpp"

namespace structlab::spec {

/// Parses a YAML scalar or flow list into a typed value: `true` -> boolean, `12` -> integer, `0.5` / `1e-3`
/// -> real, `[4, 6]` -> list of integers, `"12"` or `abc` -> string. Throws ConfigError (naming \p what)
/// for a mapping, a null, a nested list or a list mixing strings and numbers.
ParamValue parse_param_value(const std::string& text, const std::string& what = "value");

/// Parses `key=value` assignments (e.g. from `structlab graph watts_strogatz n=100 k=4`) into Params whose
/// locations say "command line". Throws ConfigError for an item without '=' or with an empty key.
Params parse_assignments(const std::vector<std::string>& assignments, const std::string& owner = "",
                         const std::string& key_prefix = "");

}  // namespace structlab::spec
