#include "spec/yaml_value.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/plain_text.hpp"
#include "structlab/error.hpp"

namespace structlab::spec::detail {
namespace {

enum class ScalarKind { boolean, integer, real, string };

// YAML 1.2 core schema resolution for plain scalars; quoted scalars are always strings. No std::regex:
// it recurses per character and a 100 000-digit value would overflow the stack (core/plain_text.hpp).
ScalarKind kind_of(const YAML::Node& node) {
  if (node.Tag() == "!") return ScalarKind::string;
  const std::string& text = node.Scalar();
  if (text == "true" || text == "True" || text == "TRUE" || text == "false" || text == "False" || text == "FALSE") {
    return ScalarKind::boolean;
  }
  if (structlab::detail::is_integer_text(text)) return ScalarKind::integer;
  if (structlab::detail::is_real_text(text)) return ScalarKind::real;
  return ScalarKind::string;
}

[[noreturn]] void fail(const YAML::Node& node, const std::string& file, const std::string& key_path,
                       const std::string& message) {
  // text parsed on its own (a --set value) has no file: its line and column would mean nothing
  std::string where = file.empty() ? "" : location_of(node, file).to_string();
  throw ConfigError((where.empty() ? "" : where + ": ") + key_path + ": " + message);
}

ParamValue scalar_value(const YAML::Node& node, const std::string& file, const std::string& key_path) {
  const std::string& text = node.Scalar();
  switch (kind_of(node)) {
    case ScalarKind::boolean: return text[0] == 't' || text[0] == 'T';
    case ScalarKind::integer:
      try {
        return static_cast<std::int64_t>(std::stoll(text));
      } catch (const std::out_of_range&) {
        fail(node, file, key_path, "integer " + structlab::detail::shortened(text) + " is out of range");
      }
    case ScalarKind::real: return node.as<double>();
    case ScalarKind::string: return text;
  }
  return text;
}

}  // namespace

SourceLocation location_of(const YAML::Node& node, const std::string& file) {
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) return SourceLocation{file, 0, 0};
  return SourceLocation{file, mark.line + 1, mark.column + 1};
}

ParamValue param_value_of(const YAML::Node& node, const std::string& file, const std::string& key_path) {
  if (!node.IsDefined() || node.IsNull()) fail(node, file, key_path, "expected a value, got nothing (null)");
  if (node.IsMap()) fail(node, file, key_path, "expected a value or a list, got a mapping");
  if (node.IsScalar()) return scalar_value(node, file, key_path);

  std::vector<ParamValue> items;
  for (const auto& item : node) {
    if (!item.IsScalar()) fail(item, file, key_path, "expected a flat list of values, got a nested list or mapping");
    items.push_back(scalar_value(item, file, key_path));
  }
  auto all = [&](auto predicate) { return std::all_of(items.begin(), items.end(), predicate); };
  if (items.empty()) return std::vector<std::string>{};
  if (all([](const ParamValue& v) { return type_of(v) == ParamType::integer; })) {
    std::vector<std::int64_t> out;
    for (const auto& v : items) out.push_back(std::get<std::int64_t>(v));
    return out;
  }
  if (all([](const ParamValue& v) { return type_of(v) == ParamType::integer || type_of(v) == ParamType::real; })) {
    std::vector<double> out;
    for (const auto& v : items) {
      out.push_back(type_of(v) == ParamType::integer ? static_cast<double>(std::get<std::int64_t>(v))
                                                      : std::get<double>(v));
    }
    return out;
  }
  if (all([](const ParamValue& v) { return type_of(v) == ParamType::string; })) {
    std::vector<std::string> out;
    for (const auto& v : items) out.push_back(std::get<std::string>(v));
    return out;
  }
  fail(node, file, key_path, "a list must hold only numbers or only strings");
}

Params params_of(const YAML::Node& mapping, const std::string& file, const std::string& key_path,
                 const std::vector<std::string>& skip) {
  Params params("", key_path);
  for (const auto& entry : mapping) {
    std::string key = entry.first.as<std::string>();
    if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
    std::string path = key_path.empty() ? key : key_path + "." + key;
    params.set(key, param_value_of(entry.second, file, path), location_of(entry.first, file));
  }
  return params;
}

}  // namespace structlab::spec::detail
