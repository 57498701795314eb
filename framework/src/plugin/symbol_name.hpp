#pragma once
// Encoding of a plugin's identity in its exported symbol name (see register.hpp).

#include <optional>
#include <string>

#include "structlab/plugin/kind.hpp"

namespace structlab::plugin::detail {

/// What an entry symbol name says about its plugin.
struct SymbolInfo {
  int api_version = 0;        ///< plugin API version at build time
  std::string torch_version;  ///< "major.minor.patch" at build time
  PluginKind kind = PluginKind::generator;
  std::string name;
};

/// Parses "structlab_plugin_v<api>_t<major>_<minor>_<patch>_<kind>_<name>"; empty when it is not one.
std::optional<SymbolInfo> parse_symbol_name(const std::string& symbol);

}  // namespace structlab::plugin::detail
