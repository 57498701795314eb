#include "spec/plugin_check.hpp"

#include <fmt/format.h>

#include "structlab/error.hpp"
#include "structlab/plugin/dataset.hpp"
#include "structlab/plugin/model_kind.hpp"

namespace structlab::spec::detail {
namespace {

// Identifies a configuration: the same name and parameter values construct the same object.
std::string configuration_key(plugin::PluginKind kind, const std::string& name, const Params& params) {
  std::string key = fmt::format("{}/{}", plugin::to_string(kind), name);
  for (const auto& param : params.keys()) key += "\n" + param + "=" + to_yaml(params.value(param));
  return key;
}

}  // namespace

void PluginChecker::construct(plugin::PluginKind kind, const std::string& name, const Params& params) {
  switch (kind) {
    case plugin::PluginKind::generator:
      registry_.create_generator(name, params);
      return;
    case plugin::PluginKind::model:
      registry_.create_model_kind(name, params);
      return;
    case plugin::PluginKind::pruner:
      registry_.create_pruner(name, params);
      return;
    case plugin::PluginKind::grower:
      registry_.create_grower(name, params);
      return;
    case plugin::PluginKind::dataset:
      // the data files too, not only the parameters: a typo in dataset.path is one message, not a failed run
      registry_.create_dataset(name, params)->check();
      return;
  }
}

bool PluginChecker::model_needs_structure(const std::string& name, const Params& params) {
  return registry_.create_model_kind(name, params)->needs_structure();
}

plugin::SelectionScope PluginChecker::pruner_scope(const std::string& name, const Params& params) {
  return registry_.create_pruner(name, params)->scope();
}

plugin::PruningGranularity PluginChecker::pruner_granularity(const std::string& name, const Params& params) {
  return registry_.create_pruner(name, params)->granularity();
}

std::optional<CheckedPlugin> PluginChecker::check(plugin::PluginKind kind, const std::string& section,
                                                  const SpecValue& name, const SourceLocation& section_where,
                                                  const Params& raw, Problems& problems) {
  const std::string& plugin_name = std::get<std::string>(name.value);
  CheckedPlugin checked;
  try {
    checked.declared = registry_.describe(kind, plugin_name).params;
  } catch (const ConfigError& e) {
    problems.add(e.what());
    return std::nullopt;
  } catch (const Error& e) {
    // not found, refused (ABI) or unloadable: the spec names a plugin this installation cannot provide
    problems.add(name.where, section + ".plugin", e.what());
    return std::nullopt;
  }
  if (!problems.collect([&] { checked.params = registry_.validate(kind, plugin_name, raw); }))
    return std::nullopt;

  std::string key = configuration_key(kind, plugin_name, checked.params);
  auto done = constructed_.find(key);
  if (done == constructed_.end()) {
    std::string failure;
    try {
      construct(kind, plugin_name, checked.params);
    } catch (const ConfigError& e) {
      failure = e.what();
    } catch (const Error& e) {
      // a plugin refusing its parameters with another error type: still the spec's problem, say where
      std::string where = section_where.to_string();
      failure = (where.empty() ? "" : where + ": ") + section + ": " + e.what();
    }
    done = constructed_.emplace(key, failure).first;
  }
  if (!done->second.empty()) {
    problems.add(done->second);
    return std::nullopt;
  }
  return checked;
}

}  // namespace structlab::spec::detail
