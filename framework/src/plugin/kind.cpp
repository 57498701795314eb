#include "structlab/plugin/kind.hpp"

namespace structlab::plugin {

const char* to_string(PluginKind kind) {
  switch (kind) {
    case PluginKind::generator: return "generator";
    case PluginKind::model: return "model";
    case PluginKind::pruner: return "pruner";
    case PluginKind::dataset: return "dataset";
    case PluginKind::grower: return "grower";
  }
  return "unknown";
}

std::optional<PluginKind> parse_kind(const std::string& text) {
  for (PluginKind kind : {PluginKind::generator, PluginKind::model, PluginKind::pruner, PluginKind::dataset,
                          PluginKind::grower}) {
    std::string name = to_string(kind);
    if (text == name || text == name + "s") return kind;
  }
  return std::nullopt;
}

}  // namespace structlab::plugin
