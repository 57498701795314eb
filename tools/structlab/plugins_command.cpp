#include <fmt/core.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "structlab/error.hpp"
#include "structlab/plugin/registry.hpp"

namespace structlab::cli {
namespace {

struct PluginsOptions {
  std::string kind;
  bool json = false;
};

nlohmann::json param_json(const ParamSpec& spec) {
  nlohmann::json out{{"name", spec.name},
                     {"type", to_string(spec.type)},
                     {"required", spec.required()},
                     {"doc", spec.doc}};
  out["default"] = spec.default_value ? nlohmann::json(to_yaml(*spec.default_value)) : nlohmann::json(nullptr);
  return out;
}

int list_plugins(const GlobalOptions& global, const PluginsOptions& options) {
  std::optional<plugin::PluginKind> only;
  if (!options.kind.empty()) {
    only = plugin::parse_kind(options.kind);
    if (!only) {
      throw ConfigError("--kind: unknown plugin kind '" + options.kind +
                        "'; expected generator, model, pruner, dataset or grower");
    }
  }
  auto registry = plugin::PluginRegistry::with_default_paths(global.plugin_paths);
  nlohmann::json all = nlohmann::json::array();
  for (const auto& record : registry.records()) {
    if (only && record.kind != *only) continue;
    nlohmann::json item{{"name", record.name},
                        {"kind", plugin::to_string(record.kind)},
                        {"path", record.library.string()},
                        {"api_version", record.api_version},
                        {"torch_version", record.torch_version},
                        {"usable", record.usable()}};
    if (record.usable()) {
      plugin::PluginDescriptor descriptor = registry.describe(record.kind, record.name);
      item["description"] = descriptor.description;
      item["version"] = descriptor.version;
      item["parameters"] = nlohmann::json::array();
      for (const auto& spec : descriptor.params) item["parameters"].push_back(param_json(spec));
    } else {
      item["refusal"] = record.refusal;
    }
    all.push_back(item);
  }
  if (options.json) {
    std::cout << all.dump(2) << "\n";
    return 0;
  }
  if (all.empty()) {
    fmt::print("no plugins found\n");
    return 0;
  }
  for (const auto& item : all) {
    fmt::print("{:<10} {:<24} {}\n", item["kind"].get<std::string>(), item["name"].get<std::string>(),
               item.value("description", std::string("REFUSED: ") + item.value("refusal", std::string())));
    fmt::print("{:<10} {:<24} {}\n", "", "", item["path"].get<std::string>());
    if (!item.contains("parameters")) continue;
    for (const auto& param : item["parameters"]) {
      std::string value = param["required"].get<bool>() ? "(required)" : "= " + param["default"].get<std::string>();
      fmt::print("{:<10}   {:<22} {:<16} {:<14} {}\n", "", param["name"].get<std::string>(),
                 param["type"].get<std::string>(), value, param["doc"].get<std::string>());
    }
  }
  return 0;
}

}  // namespace

void add_plugins_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected) {
  auto options = std::make_shared<PluginsOptions>();
  auto* command = app.add_subcommand("plugins", "List the plugins found, with their parameters and defaults");
  command->add_option("--kind", options->kind, "Only plugins of this kind: generator, model, pruner, dataset, grower");
  command->add_flag("--json", options->json, "Print JSON instead of a table");
  command->callback([&selected, &global, options] {
    selected = [&global, options] { return list_plugins(global, *options); };
  });
}

}  // namespace structlab::cli
