#include "plugin/symbol_name.hpp"

#include <string_view>

#include "core/plain_text.hpp"

namespace structlab::plugin::detail {
namespace {

// Consumes `prefix` from the front of `text`; false when `text` does not start with it.
bool consume(std::string_view& text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix) return false;
  text.remove_prefix(prefix.size());
  return true;
}

// Consumes a run of digits followed by `terminator`; the digits, or empty when there are none.
std::string_view consume_number(std::string_view& text, char terminator) {
  std::size_t end = text.find(terminator);
  if (end == std::string_view::npos) return {};
  std::string_view digits = text.substr(0, end);
  if (!structlab::detail::is_digits(digits) || digits.size() > 9) return {};
  text.remove_prefix(end + 1);
  return digits;
}

}  // namespace

// A hand-written parser, not std::regex: the names come from arbitrary files in plugin folders, and
// std::regex recurses per character (a long symbol would overflow the stack).
std::optional<SymbolInfo> parse_symbol_name(const std::string& symbol) {
  std::string_view rest = symbol;
  if (!consume(rest, "structlab_plugin_v")) return std::nullopt;
  std::string_view api = consume_number(rest, '_');
  if (api.empty() || !consume(rest, "t")) return std::nullopt;
  std::string_view major = consume_number(rest, '_');
  std::string_view minor = consume_number(rest, '_');
  std::string_view patch = consume_number(rest, '_');
  if (major.empty() || minor.empty() || patch.empty()) return std::nullopt;
  std::size_t kind_end = rest.find('_');
  if (kind_end == std::string_view::npos) return std::nullopt;
  std::string_view kind_text = rest.substr(0, kind_end);
  std::optional<PluginKind> kind = parse_kind(std::string(kind_text));
  if (!kind || kind_text != to_string(*kind)) return std::nullopt;  // parse_kind also takes plurals
  std::string_view name = rest.substr(kind_end + 1);
  bool name_valid = !name.empty() && name.front() >= 'a' && name.front() <= 'z' &&
                    structlab::detail::is_word_text(name, "_") &&
                    name.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string_view::npos;
  if (!name_valid) return std::nullopt;
  SymbolInfo info;
  info.api_version = std::stoi(std::string(api));
  info.torch_version = std::string(major) + "." + std::string(minor) + "." + std::string(patch);
  info.kind = *kind;
  info.name = std::string(name);
  return info;
}

}  // namespace structlab::plugin::detail
