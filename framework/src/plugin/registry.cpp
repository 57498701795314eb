#include "structlab/plugin/registry.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <boost/dll/library_info.hpp>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <set>
#include <sstream>

#include "plugin/elf_check.hpp"
#include "plugin/symbol_name.hpp"
#include "structlab/error.hpp"
#include "structlab/plugin/dataset.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/grower.hpp"
#include "structlab/plugin/model_kind.hpp"
#include "structlab/plugin/pruner.hpp"
#include "structlab/plugin/register.hpp"
#include "structlab/version.hpp"

namespace structlab::plugin {

namespace fs = std::filesystem;

/// A loaded plugin library; destroyed (and unloaded) when the last object holding it goes.
struct PluginRegistry::Library {
  boost::dll::shared_library dll;
};

namespace {

constexpr const char* kPluginSection = "slplugin";

std::string describe_plugin(PluginKind kind, const std::string& name) {
  return fmt::format("{} plugin '{}'", to_string(kind), name);
}

// The shared libraries a search path entry stands for, in a stable order.
std::vector<fs::path> libraries_in(const fs::path& path) {
  std::vector<fs::path> out;
  std::error_code error;
  if (fs::is_directory(path, error)) {
    for (const auto& entry : fs::directory_iterator(path, error)) {
      if (entry.is_regular_file(error) && entry.path().extension() == ".so") out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
  } else if (fs::is_regular_file(path, error)) {
    out.push_back(path);
  }
  return out;
}

// Entry symbols of a library, read from its symbol table without loading it; empty for anything else.
// Throws PluginLoadError naming the file for an ELF file whose sections library_info cannot read safely.
std::vector<std::string> entry_symbols(const fs::path& library) {
  detail::ElfCheck elf = detail::check_elf(library);
  if (elf.shape == detail::ElfShape::not_elf) return {};  // not a plugin
  if (elf.shape == detail::ElfShape::corrupt) {
    throw PluginLoadError(fmt::format("{}: a corrupt ELF shared object in a plugin folder: {}; remove or rebuild it",
                                      library.string(), elf.defect));
  }
  try {
    boost::dll::library_info info(library, /*throw_if_not_native=*/false);
    std::vector<std::string> sections = info.sections();
    if (std::find(sections.begin(), sections.end(), kPluginSection) == sections.end()) return {};
    return info.symbols(kPluginSection);
  } catch (const std::exception&) {
    return {};  // not an ELF shared object: not a plugin
  }
}

std::string refusal_for(const detail::SymbolInfo& info, const fs::path& library) {
  std::string who = describe_plugin(info.kind, info.name);
  if (info.api_version != STRUCTLAB_PLUGIN_API_VERSION) {
    return fmt::format(
        "{} in {} was built for structlab plugin API version {}, but this structlab ({}) uses plugin API version "
        "{}; rebuild the plugin against this structlab",
        who, library.string(), info.api_version, STRUCTLAB_VERSION, STRUCTLAB_PLUGIN_API_VERSION);
  }
  if (info.torch_version != torch_version()) {
    return fmt::format(
        "{} in {} was built against LibTorch {}, but this structlab uses LibTorch {}; rebuild the plugin against "
        "this LibTorch",
        who, library.string(), info.torch_version, torch_version());
  }
  return "";
}

// Runs plugin code; structlab errors pass through, anything else is wrapped with the plugin's identity.
template <typename Fn>
auto call_plugin(const PluginRecord& record, const char* what, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw PluginError(fmt::format("{} ({}) failed in {}: {}", describe_plugin(record.kind, record.name),
                                  record.library.string(), what, e.what()));
  } catch (...) {
    throw PluginError(fmt::format("{} ({}) failed in {} with a non-standard exception",
                                  describe_plugin(record.kind, record.name), record.library.string(), what));
  }
}

template <typename Interface>
const detail::PluginEntry<Interface>& entry_of(boost::dll::shared_library& dll, const PluginRecord& record) {
  try {
    return dll.get_alias<const detail::PluginEntry<Interface>>(record.symbol);
  } catch (const std::exception& e) {
    throw PluginLoadError(fmt::format("cannot read the entry {} of {} from {}: {}", record.symbol,
                                      describe_plugin(record.kind, record.name), record.library.string(), e.what()));
  }
}

}  // namespace

std::vector<fs::path> default_plugin_paths() {
  std::vector<fs::path> out;
  // the core library's own directory: <build>/lib or <prefix>/lib/<arch>
  fs::path core = boost::dll::this_line_location();
  out.push_back(core.parent_path() / STRUCTLAB_PLUGIN_SUBDIR);
  if (const char* env = std::getenv("STRUCTLAB_PLUGIN_PATH")) {
    std::stringstream stream(env);
    std::string item;
    while (std::getline(stream, item, ':')) {
      if (!item.empty()) out.emplace_back(item);
    }
  }
  return out;
}

PluginRegistry::PluginRegistry() = default;
PluginRegistry::~PluginRegistry() = default;
PluginRegistry::PluginRegistry(PluginRegistry&&) noexcept = default;
PluginRegistry& PluginRegistry::operator=(PluginRegistry&&) noexcept = default;

PluginRegistry PluginRegistry::with_default_paths(const std::vector<fs::path>& extra_paths) {
  PluginRegistry registry;
  for (const auto& path : default_plugin_paths()) registry.add_path(path);
  for (const auto& path : extra_paths) registry.add_path(path);
  registry.scan();
  return registry;
}

void PluginRegistry::add_path(const fs::path& path) { paths_.push_back(path); }

void PluginRegistry::scan() {
  records_.clear();
  std::set<fs::path> seen;
  for (const auto& path : paths_) {
    for (const auto& library : libraries_in(path)) {
      std::error_code error;
      fs::path canonical = fs::weakly_canonical(library, error);
      if (error) canonical = library;
      if (!seen.insert(canonical).second) continue;
      for (const auto& symbol : entry_symbols(canonical)) {
        auto info = detail::parse_symbol_name(symbol);
        if (!info) continue;
        PluginRecord record{info->kind, info->name,          canonical, symbol, info->api_version,
                            info->torch_version, refusal_for(*info, canonical)};
        auto key = std::make_pair(record.kind, record.name);
        auto existing = records_.find(key);
        if (existing != records_.end()) {
          throw DuplicatePluginError(fmt::format(
              "{} is registered twice: in {} and in {}; remove or rename one of them",
              describe_plugin(record.kind, record.name), existing->second.library.string(), canonical.string()));
        }
        records_.emplace(key, std::move(record));
      }
    }
  }
}

std::vector<PluginRecord> PluginRegistry::records() const {
  std::vector<PluginRecord> out;
  for (const auto& [key, record] : records_) out.push_back(record);
  return out;
}

const PluginRecord& PluginRegistry::find(PluginKind kind, const std::string& name) const {
  auto it = records_.find({kind, name});
  if (it == records_.end()) {
    std::vector<std::string> known;
    for (const auto& [key, record] : records_) {
      if (key.first == kind && record.usable()) known.push_back(key.second);
    }
    std::vector<std::string> searched;
    for (const auto& path : paths_) searched.push_back(path.string());
    throw PluginNotFoundError(fmt::format("no {} plugin named '{}'; available: {} (searched: {})", to_string(kind),
                                          name, known.empty() ? "none" : fmt::format("{}", fmt::join(known, ", ")),
                                          fmt::join(searched, ":")));
  }
  if (!it->second.usable()) throw AbiMismatchError(it->second.refusal);
  return it->second;
}

std::shared_ptr<PluginRegistry::Library> PluginRegistry::load(const PluginRecord& record) {
  auto it = loaded_.find(record.library);
  if (it != loaded_.end()) return it->second;
  auto library = std::make_shared<Library>();
  try {
    library->dll.load(record.library, boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw PluginLoadError(fmt::format("cannot load {} from {}: {}", describe_plugin(record.kind, record.name),
                                      record.library.string(), e.what()));
  }
  loaded_.emplace(record.library, library);
  return library;
}

std::shared_ptr<void> PluginRegistry::library_holder(PluginKind kind, const std::string& name) {
  return load(find(kind, name));
}

PluginDescriptor PluginRegistry::describe(PluginKind kind, const std::string& name) {
  const PluginRecord& record = find(kind, name);
  auto library = load(record);
  auto run = [&](auto entry_type_tag) {
    using Interface = typename decltype(entry_type_tag)::type;
    const auto& entry = entry_of<Interface>(library->dll, record);
    return call_plugin(record, "describe()", [&] { return entry.describe(); });
  };
  switch (kind) {
    case PluginKind::generator: return run(std::common_type<StructureGenerator>{});
    case PluginKind::model: return run(std::common_type<ModelKind>{});
    case PluginKind::pruner: return run(std::common_type<PruningStrategy>{});
    case PluginKind::dataset: return run(std::common_type<Dataset>{});
    case PluginKind::grower: return run(std::common_type<GrowthCriterion>{});
  }
  throw PluginLoadError("unknown plugin kind");
}

Params PluginRegistry::validate(PluginKind kind, const std::string& name, const Params& params) {
  PluginDescriptor descriptor = describe(kind, name);
  Params owned = params;
  owned.set_owner(describe_plugin(kind, name));
  return owned.validated(descriptor.params);
}

template <typename Interface>
std::shared_ptr<Interface> PluginRegistry::create(PluginKind kind, const std::string& name, const Params& params) {
  Params checked = validate(kind, name, params);
  const PluginRecord& record = find(kind, name);
  auto library = load(record);
  const auto& entry = entry_of<Interface>(library->dll, record);
  Interface* object = call_plugin(record, "its factory", [&] { return entry.create(checked); });
  if (object == nullptr) {
    throw PluginError(fmt::format("{} ({}) returned no object", describe_plugin(kind, name), record.library.string()));
  }
  // the deleter holds the library: plugin code (the destructor) must stay mapped until the object is gone
  return std::shared_ptr<Interface>(object, [library](Interface* p) { delete p; });
}

std::shared_ptr<StructureGenerator> PluginRegistry::create_generator(const std::string& name, const Params& params) {
  return create<StructureGenerator>(PluginKind::generator, name, params);
}

std::shared_ptr<ModelKind> PluginRegistry::create_model_kind(const std::string& name, const Params& params) {
  return create<ModelKind>(PluginKind::model, name, params);
}

std::shared_ptr<PruningStrategy> PluginRegistry::create_pruner(const std::string& name, const Params& params) {
  return create<PruningStrategy>(PluginKind::pruner, name, params);
}

std::shared_ptr<Dataset> PluginRegistry::create_dataset(const std::string& name, const Params& params) {
  return create<Dataset>(PluginKind::dataset, name, params);
}

std::shared_ptr<GrowthCriterion> PluginRegistry::create_grower(const std::string& name, const Params& params) {
  return create<GrowthCriterion>(PluginKind::grower, name, params);
}

}  // namespace structlab::plugin
