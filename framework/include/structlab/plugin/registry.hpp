#pragma once
/// \file
/// PluginRegistry: finds plugins on the search path, vets them, and creates plugin objects.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "structlab/params.hpp"
#include "structlab/plugin/descriptor.hpp"
#include "structlab/plugin/kind.hpp"

namespace structlab::plugin {

class StructureGenerator;
class ModelKind;
class PruningStrategy;
class Dataset;
class GrowthCriterion;

/// One plugin found on the search path, known from the library's symbol table alone.
struct PluginRecord {
  PluginKind kind = PluginKind::generator;  ///< what it provides
  std::string name;                         ///< its name within the kind
  std::filesystem::path library;            ///< the shared library holding it
  std::string symbol;                       ///< the exported entry symbol
  int api_version = 0;                      ///< plugin API version it was built with
  std::string torch_version;                ///< LibTorch version it was built with
  std::string refusal;                      ///< why it cannot be loaded (version mismatch); empty when usable

  /// True when the plugin matches this structlab's API and LibTorch versions.
  bool usable() const { return refusal.empty(); }
};

/// The plugin directories used when nothing else is said: the directory `structlab/plugins` beside the
/// core library (the build tree's or the installed one), then each entry of STRUCTLAB_PLUGIN_PATH
/// (colon-separated).
std::vector<std::filesystem::path> default_plugin_paths();

/// Finds, vets and instantiates plugins.
///
/// scan() reads the symbol tables of every shared library on the search path (no plugin code runs).
/// A library that is not a structlab plugin is skipped. A plugin built against another plugin API or
/// LibTorch version is recorded as refused and never loaded. Objects created here keep their library
/// loaded for as long as they live, even after the registry is gone.
class PluginRegistry {
 public:
  /// A registry with an empty search path.
  PluginRegistry();
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;
  /// Moves the registry (loaded libraries stay loaded).
  PluginRegistry(PluginRegistry&&) noexcept;
  /// Move-assigns the registry.
  PluginRegistry& operator=(PluginRegistry&&) noexcept;

  /// A registry over default_plugin_paths() plus \p extra_paths, already scanned.
  static PluginRegistry with_default_paths(const std::vector<std::filesystem::path>& extra_paths = {});

  /// Adds a directory (every *.so in it) or a single library file to the search path; paths that do not
  /// exist are ignored by scan(). The same directory added twice is scanned once.
  void add_path(const std::filesystem::path& path);
  /// The search path, in order.
  const std::vector<std::filesystem::path>& paths() const { return paths_; }

  /// Reads every library on the search path. Throws DuplicatePluginError naming both libraries when two
  /// plugins share kind and name.
  void scan();

  /// Every plugin found, usable or refused, sorted by kind then name.
  std::vector<PluginRecord> records() const;
  /// The record of a usable plugin. Throws PluginNotFoundError (listing the known names of that kind) or
  /// AbiMismatchError (naming both versions and the library).
  const PluginRecord& find(PluginKind kind, const std::string& name) const;

  /// Loads the plugin's library and returns its descriptor.
  PluginDescriptor describe(PluginKind kind, const std::string& name);
  /// Validates \p params against the plugin's declared parameters (filling defaults); throws ConfigError.
  Params validate(PluginKind kind, const std::string& name, const Params& params);

  /// Creates the generator \p name from \p params (validated here first).
  std::shared_ptr<StructureGenerator> create_generator(const std::string& name, const Params& params);
  /// Creates the model kind \p name from \p params (validated here first).
  std::shared_ptr<ModelKind> create_model_kind(const std::string& name, const Params& params);
  /// Creates the pruning strategy \p name from \p params (validated here first).
  std::shared_ptr<PruningStrategy> create_pruner(const std::string& name, const Params& params);
  /// Creates the dataset \p name from \p params (validated here first).
  std::shared_ptr<Dataset> create_dataset(const std::string& name, const Params& params);
  /// Creates the growth criterion \p name from \p params (validated here first).
  std::shared_ptr<GrowthCriterion> create_grower(const std::string& name, const Params& params);

  /// Holds \p object's plugin library loaded for as long as the returned pointer (or a copy) lives;
  /// use it for objects a plugin object creates, e.g. a model built by a model kind.
  template <typename T>
  std::shared_ptr<T> keep_library_alive(PluginKind kind, const std::string& name, std::shared_ptr<T> object) {
    auto holder = library_holder(kind, name);
    return std::shared_ptr<T>(object.get(), [object, holder](T*) mutable {
      object.reset();  // destroy the object before its library may be unloaded
      holder.reset();
    });
  }

 private:
  struct Library;
  std::shared_ptr<void> library_holder(PluginKind kind, const std::string& name);
  std::shared_ptr<Library> load(const PluginRecord& record);
  template <typename Interface>
  std::shared_ptr<Interface> create(PluginKind kind, const std::string& name, const Params& params);

  std::vector<std::filesystem::path> paths_;
  std::map<std::pair<PluginKind, std::string>, PluginRecord> records_;
  std::map<std::filesystem::path, std::shared_ptr<Library>> loaded_;
};

}  // namespace structlab::plugin
