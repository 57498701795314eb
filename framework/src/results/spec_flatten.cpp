#include "results/spec_flatten.hpp"

#include <yaml-cpp/yaml.h>

#include "structlab/error.hpp"

namespace structlab::results::detail {
namespace {

std::string flow_text(const YAML::Node& node) {
  YAML::Emitter out;
  out.SetSeqFormat(YAML::Flow);
  out.SetMapFormat(YAML::Flow);
  out << node;
  return out.c_str();
}

void flatten_into(const YAML::Node& node, const std::string& prefix,
                  std::vector<std::pair<std::string, std::string>>& out) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      for (const auto& entry : node) {
        std::string key = entry.first.as<std::string>();
        flatten_into(entry.second, prefix.empty() ? key : prefix + "." + key, out);
      }
      break;
    case YAML::NodeType::Scalar:
      out.emplace_back(prefix, node.Scalar());
      break;
    case YAML::NodeType::Sequence:
      out.emplace_back(prefix, flow_text(node));
      break;
    default:  // null and undefined
      out.emplace_back(prefix, "");
      break;
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> flatten_spec(const std::string& yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw ArchiveError("/spec is not valid YAML: " + std::string(e.what()));
  }
  if (!root.IsMap()) throw ArchiveError("/spec is not a YAML mapping");
  std::vector<std::pair<std::string, std::string>> flat;
  flatten_into(root, "", flat);
  return flat;
}

}  // namespace structlab::results::detail
