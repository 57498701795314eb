#pragma once
// Loads the built-in pruning strategies the way the runner does: through the plugin registry.

#include <filesystem>
#include <memory>
#include <string>

#include "structlab/params.hpp"
#include "structlab/plugin/pruner.hpp"
#include "structlab/plugin/registry.hpp"

namespace structlab::testing {

/// The registry over the built pruner plugins (only those, so other plugins under construction cannot
/// disturb these tests).
inline plugin::PluginRegistry& pruner_registry() {
  static plugin::PluginRegistry registry = [] {
    plugin::PluginRegistry r;
    for (const char* name :
         {"magnitude_global", "magnitude_layerwise", "magnitude_std", "random", "obd", "taylor", "neuron", "snip",
          "grasp", "synflow"}) {
      r.add_path(std::filesystem::path(STRUCTLAB_TEST_PLUGIN_DIR) /
                 (std::string("libstructlab_pruner_") + name + ".so"));
    }
    r.scan();
    return r;
  }();
  return registry;
}

/// Creates the pruner \p name with \p params (validated by the registry, defaults filled).
inline std::shared_ptr<plugin::PruningStrategy> make_pruner(const std::string& name,
                                                            const Params& params = Params()) {
  return pruner_registry().create_pruner(name, params);
}

}  // namespace structlab::testing
