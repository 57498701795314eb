#pragma once
/// \file
/// PluginDescriptor: what a plugin says about itself.

#include <string>
#include <vector>

#include "structlab/params.hpp"
#include "structlab/plugin/kind.hpp"

namespace structlab::plugin {

/// Kind, name, one-line description, parameters and the versions a plugin was built against.
struct PluginDescriptor {
  PluginKind kind = PluginKind::generator;  ///< what it provides
  std::string name;                         ///< unique within its kind, [a-z0-9_]
  std::string description;                  ///< one line
  std::string version;                      ///< the plugin's own version
  std::vector<ParamSpec> params;            ///< every parameter it accepts
  int api_version = 0;                      ///< STRUCTLAB_PLUGIN_API_VERSION at build time
  std::string torch_version;                ///< LibTorch version at build time
};

}  // namespace structlab::plugin
