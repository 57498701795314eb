#include "plugin/symbol_name.hpp"

#include <regex>

namespace structlab::plugin::detail {

std::optional<SymbolInfo> parse_symbol_name(const std::string& symbol) {
  static const std::regex pattern(
      R"(^structlab_plugin_v(\d+)_t(\d+)_(\d+)_(\d+)_(generator|model|pruner|dataset)_([a-z][a-z0-9_]*)$)");
  std::smatch match;
  if (!std::regex_match(symbol, match, pattern)) return std::nullopt;
  SymbolInfo info;
  info.api_version = std::stoi(match[1]);
  info.torch_version = match[2].str() + "." + match[3].str() + "." + match[4].str();
  info.kind = *parse_kind(match[5]);
  info.name = match[6];
  return info;
}

}  // namespace structlab::plugin::detail
