#pragma once
/// \file
/// The one registration line of a plugin:
///
/// \code
/// class WattsStrogatz : public structlab::plugin::StructureGenerator {
///  public:
///   static structlab::plugin::PluginInfo info();               // description, version, parameters
///   explicit WattsStrogatz(const structlab::Params& params);   // params are validated against info()
///   structlab::graph::EdgeListGraph generate(std::uint64_t seed) const override;
/// };
/// STRUCTLAB_REGISTER_GENERATOR(WattsStrogatz, watts_strogatz)
/// \endcode
///
/// The name is an identifier ([a-z][a-z0-9_]*). The macro exports one symbol in the `slplugin` section
/// whose name encodes the plugin API version, the LibTorch version, the kind and the name, so the host
/// lists and vets plugins from the symbol table before any plugin code runs.

#include <torch/version.h>

#include <boost/dll/alias.hpp>
#include <string>
#include <vector>

#include "structlab/params.hpp"
#include "structlab/plugin/descriptor.hpp"
#include "structlab/version.hpp"

namespace structlab::plugin {

class StructureGenerator;
class ModelKind;
class PruningStrategy;
class Dataset;
class GrowthCriterion;

/// What a plugin class returns from its static info(): the parts of its descriptor it writes itself.
struct PluginInfo {
  std::string description;        ///< one line
  std::string version = "1.0.0";  ///< the plugin's own version
  std::vector<ParamSpec> params;  ///< every parameter it accepts
};

namespace detail {

/// The exported entry of one plugin: how to describe it and how to create it.
template <typename Interface>
struct PluginEntry {
  PluginDescriptor (*describe)();             ///< descriptor, including the build-time versions
  Interface* (*create)(const Params& params);  ///< new instance from validated params; caller owns it
};

}  // namespace detail
}  // namespace structlab::plugin

// Test fixtures override these to impersonate plugins built against other versions.
#ifndef STRUCTLAB_PLUGIN_BUILD_API_VERSION
#define STRUCTLAB_PLUGIN_BUILD_API_VERSION STRUCTLAB_PLUGIN_API_VERSION
#endif
#ifndef STRUCTLAB_PLUGIN_BUILD_TORCH_MAJOR
#define STRUCTLAB_PLUGIN_BUILD_TORCH_MAJOR TORCH_VERSION_MAJOR
#endif
#ifndef STRUCTLAB_PLUGIN_BUILD_TORCH_MINOR
#define STRUCTLAB_PLUGIN_BUILD_TORCH_MINOR TORCH_VERSION_MINOR
#endif
#ifndef STRUCTLAB_PLUGIN_BUILD_TORCH_PATCH
#define STRUCTLAB_PLUGIN_BUILD_TORCH_PATCH TORCH_VERSION_PATCH
#endif

#define STRUCTLAB_DETAIL_STR_I(x) #x
#define STRUCTLAB_DETAIL_STR(x) STRUCTLAB_DETAIL_STR_I(x)
#define STRUCTLAB_DETAIL_SYMBOL_III(Api, Major, Minor, Patch, KindToken, PluginName) \
  structlab_plugin_v##Api##_t##Major##_##Minor##_##Patch##_##KindToken##_##PluginName
#define STRUCTLAB_DETAIL_SYMBOL_II(Api, Major, Minor, Patch, KindToken, PluginName) \
  STRUCTLAB_DETAIL_SYMBOL_III(Api, Major, Minor, Patch, KindToken, PluginName)
#define STRUCTLAB_DETAIL_SYMBOL(KindToken, PluginName)                                                  \
  STRUCTLAB_DETAIL_SYMBOL_II(STRUCTLAB_PLUGIN_BUILD_API_VERSION, STRUCTLAB_PLUGIN_BUILD_TORCH_MAJOR,     \
                             STRUCTLAB_PLUGIN_BUILD_TORCH_MINOR, STRUCTLAB_PLUGIN_BUILD_TORCH_PATCH, KindToken, PluginName)

#define STRUCTLAB_DETAIL_REGISTER(Class, PluginName, KindToken, KindEnum, Interface)                              \
  namespace structlab_plugin_##KindToken##_##PluginName {                                                        \
  ::structlab::plugin::PluginDescriptor describe() {                                                         \
    const ::structlab::plugin::PluginInfo info = Class::info();                                             \
    ::structlab::plugin::PluginDescriptor descriptor;                                                       \
    descriptor.kind = ::structlab::plugin::PluginKind::KindEnum;                                             \
    descriptor.name = #PluginName;                                                                                  \
    descriptor.description = info.description;                                                              \
    descriptor.version = info.version;                                                                      \
    descriptor.params = info.params;                                                                        \
    descriptor.api_version = STRUCTLAB_PLUGIN_BUILD_API_VERSION;                                             \
    descriptor.torch_version = STRUCTLAB_DETAIL_STR(STRUCTLAB_PLUGIN_BUILD_TORCH_MAJOR) "." STRUCTLAB_DETAIL_STR( \
        STRUCTLAB_PLUGIN_BUILD_TORCH_MINOR) "." STRUCTLAB_DETAIL_STR(STRUCTLAB_PLUGIN_BUILD_TORCH_PATCH);     \
    return descriptor;                                                                                       \
  }                                                                                                          \
  Interface* create(const ::structlab::Params& params) { return new Class(params); }                        \
  const ::structlab::plugin::detail::PluginEntry<Interface> entry{&describe, &create};                      \
  BOOST_DLL_ALIAS_SECTIONED(entry, STRUCTLAB_DETAIL_SYMBOL(KindToken, PluginName), slplugin)                      \
  }

/// Registers \p Class as the structure generator \p name.
#define STRUCTLAB_REGISTER_GENERATOR(Class, PluginName) \
  STRUCTLAB_DETAIL_REGISTER(Class, PluginName, generator, generator, ::structlab::plugin::StructureGenerator)
/// Registers \p Class as the model kind \p name.
#define STRUCTLAB_REGISTER_MODEL(Class, PluginName) \
  STRUCTLAB_DETAIL_REGISTER(Class, PluginName, model, model, ::structlab::plugin::ModelKind)
/// Registers \p Class as the pruning strategy \p name.
#define STRUCTLAB_REGISTER_PRUNER(Class, PluginName) \
  STRUCTLAB_DETAIL_REGISTER(Class, PluginName, pruner, pruner, ::structlab::plugin::PruningStrategy)
/// Registers \p Class as the dataset \p name.
#define STRUCTLAB_REGISTER_DATASET(Class, PluginName) \
  STRUCTLAB_DETAIL_REGISTER(Class, PluginName, dataset, dataset, ::structlab::plugin::Dataset)
/// Registers \p Class as the growth criterion \p name (dynamic sparse training).
#define STRUCTLAB_REGISTER_GROWER(Class, PluginName) \
  STRUCTLAB_DETAIL_REGISTER(Class, PluginName, grower, grower, ::structlab::plugin::GrowthCriterion)
