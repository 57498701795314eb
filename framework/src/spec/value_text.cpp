#include "structlab/spec/value_text.hpp"

#include "core/plain_text.hpp"
#include "spec/yaml_value.hpp"
#include "structlab/error.hpp"

namespace structlab::spec {

ParamValue parse_param_value(const std::string& text, const std::string& what) {
  YAML::Node node;
  try {
    node = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(what + ": cannot parse '" + structlab::detail::shortened(text) + "' as a value: " + e.msg);
  }
  return detail::param_value_of(node, "", what);
}

Params parse_assignments(const std::vector<std::string>& assignments, const std::string& owner,
                         const std::string& key_prefix) {
  Params params(owner, key_prefix);
  for (const auto& item : assignments) {
    auto equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw ConfigError("'" + item + "': expected key=value, e.g. n=100");
    }
    std::string key = item.substr(0, equals);
    params.set(key, parse_param_value(item.substr(equals + 1), key), SourceLocation{"command line", 0, 0});
  }
  return params;
}

}  // namespace structlab::spec
