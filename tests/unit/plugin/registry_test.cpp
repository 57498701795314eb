// The plugin loader against fixture plugins built for this purpose (tests/fixtures).

#include "structlab/plugin/registry.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "structlab/error.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/version.hpp"

namespace structlab::plugin {
namespace {

namespace fs = std::filesystem;

fs::path fixture(const std::string& name) { return fs::path(STRUCTLAB_TEST_FIXTURE_DIR) / ("lib" + name + ".so"); }

PluginRegistry registry_of(const std::vector<std::string>& fixtures) {
  PluginRegistry registry;
  for (const auto& name : fixtures) registry.add_path(fixture(name));
  registry.scan();
  return registry;
}

Params n_equals(std::int64_t n) {
  Params params;
  params.set("n", n);
  return params;
}

TEST(PluginRegistry, ListsAPluginFromItsSymbolTable) {
  auto registry = registry_of({"fixture_good"});
  auto records = registry.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].kind, PluginKind::generator);
  EXPECT_EQ(records[0].name, "fixture_path");
  EXPECT_EQ(records[0].api_version, STRUCTLAB_PLUGIN_API_VERSION);
  EXPECT_EQ(records[0].torch_version, torch_version());
  EXPECT_TRUE(records[0].usable());
}

TEST(PluginRegistry, DescriptorCarriesParametersAndVersions) {
  auto registry = registry_of({"fixture_good"});
  PluginDescriptor descriptor = registry.describe(PluginKind::generator, "fixture_path");
  EXPECT_EQ(descriptor.description, "directed path on n vertices (test fixture)");
  EXPECT_EQ(descriptor.version, "0.0.1");
  EXPECT_EQ(descriptor.api_version, STRUCTLAB_PLUGIN_API_VERSION);
  EXPECT_EQ(descriptor.torch_version, torch_version());
  ASSERT_EQ(descriptor.params.size(), 2u);
  EXPECT_EQ(descriptor.params[0].name, "n");
  EXPECT_TRUE(descriptor.params[0].required());
  EXPECT_EQ(std::get<std::string>(*descriptor.params[1].default_value), "path");
}

TEST(PluginRegistry, CreatesAndUsesAGenerator) {
  auto registry = registry_of({"fixture_good"});
  auto generator = registry.create_generator("fixture_path", n_equals(4));
  auto graph = generator->generate(7);
  EXPECT_EQ(graph.num_vertices, 4);
  EXPECT_EQ(graph.edges.size(), 3u);
  EXPECT_TRUE(graph.directed);
}

TEST(PluginRegistry, CreatedObjectsOutliveTheRegistry) {
  std::shared_ptr<StructureGenerator> generator;
  {
    auto registry = registry_of({"fixture_good"});
    generator = registry.create_generator("fixture_path", n_equals(3));
  }
  // the registry and its library map are gone; the object's own hold keeps the code mapped
  EXPECT_EQ(generator->generate(1).edges.size(), 2u);
}

TEST(PluginRegistry, UnknownParameterIsAConfigErrorNamingThePlugin) {
  auto registry = registry_of({"fixture_good"});
  Params params = n_equals(3);
  params.set("m", std::int64_t{2});
  try {
    registry.create_generator("fixture_path", params);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("generator plugin 'fixture_path'"), std::string::npos) << message;
    EXPECT_NE(message.find("m: "), std::string::npos) << message;
  }
}

TEST(PluginRegistry, PluginOwnValidationIsAConfigError) {
  auto registry = registry_of({"fixture_good"});
  EXPECT_THROW(registry.create_generator("fixture_path", n_equals(0)), ConfigError);
}

TEST(PluginRegistry, UnknownNameIsNotFoundListingTheKnownOnes) {
  auto registry = registry_of({"fixture_good"});
  try {
    registry.create_generator("watts_strogatz_typo", n_equals(3));
    FAIL() << "expected PluginNotFoundError";
  } catch (const PluginNotFoundError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("watts_strogatz_typo"), std::string::npos) << message;
    EXPECT_NE(message.find("available: fixture_path"), std::string::npos) << message;
  }
}

TEST(PluginRegistry, WrongApiVersionIsRefusedWithoutRunningPluginCode) {
  // the fixture aborts the process if its library is ever loaded
  auto registry = registry_of({"fixture_wrong_api"});
  auto records = registry.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_FALSE(records[0].usable());
  try {
    registry.describe(PluginKind::generator, "fixture_future_api");
    FAIL() << "expected AbiMismatchError";
  } catch (const AbiMismatchError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("plugin API version 999"), std::string::npos) << message;
    EXPECT_NE(message.find("plugin API version " + std::to_string(STRUCTLAB_PLUGIN_API_VERSION)), std::string::npos)
        << message;
    EXPECT_NE(message.find(fixture("fixture_wrong_api").filename().string()), std::string::npos) << message;
  }
}

TEST(PluginRegistry, WrongTorchVersionIsRefusedNamingBothVersions) {
  auto registry = registry_of({"fixture_wrong_torch"});
  try {
    registry.create_generator("fixture_old_torch", Params());
    FAIL() << "expected AbiMismatchError";
  } catch (const AbiMismatchError& e) {
    std::string message = e.what();
    std::string torch = torch_version();
    EXPECT_NE(message.find("LibTorch 0." + torch.substr(torch.find('.') + 1)), std::string::npos) << message;
    EXPECT_NE(message.find("uses LibTorch " + torch), std::string::npos) << message;
    EXPECT_NE(message.find("libfixture_wrong_torch.so"), std::string::npos) << message;
  }
}

TEST(PluginRegistry, DuplicateNameNamesBothLibraries) {
  PluginRegistry registry;
  registry.add_path(fixture("fixture_good"));
  registry.add_path(fixture("fixture_duplicate"));
  try {
    registry.scan();
    FAIL() << "expected DuplicatePluginError";
  } catch (const DuplicatePluginError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("libfixture_good.so"), std::string::npos) << message;
    EXPECT_NE(message.find("libfixture_duplicate.so"), std::string::npos) << message;
    EXPECT_NE(message.find("'fixture_path'"), std::string::npos) << message;
  }
}

TEST(PluginRegistry, SameLibraryOnThePathTwiceIsNotADuplicate) {
  PluginRegistry registry;
  registry.add_path(fixture("fixture_good"));
  registry.add_path(fixture("fixture_good").parent_path() / "." / fixture("fixture_good").filename());
  EXPECT_NO_THROW(registry.scan());
  EXPECT_EQ(registry.records().size(), 1u);
}

TEST(PluginRegistry, NonPluginLibraryAndNonLibraryFilesAreSkipped) {
  fs::path text_file = fs::temp_directory_path() / "structlab_not_a_library.so";
  {
    std::ofstream(text_file) << "this is not an ELF file\n";
  }
  PluginRegistry registry;
  registry.add_path(fixture("fixture_not_plugin"));
  registry.add_path(text_file);
  registry.add_path(fixture("fixture_good"));
  EXPECT_NO_THROW(registry.scan());
  EXPECT_EQ(registry.records().size(), 1u);
  fs::remove(text_file);
}

TEST(PluginRegistry, ThrowingFactoryIsAPluginErrorKeepingTheMessage) {
  auto registry = registry_of({"fixture_throwing"});
  try {
    registry.create_generator("fixture_throwing", Params());
    FAIL() << "expected PluginError";
  } catch (const PluginError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("generator plugin 'fixture_throwing'"), std::string::npos) << message;
    EXPECT_NE(message.find("the fixture's constructor refuses to work"), std::string::npos) << message;
  }
}

TEST(PluginRegistry, MissingPathsAreIgnored) {
  PluginRegistry registry;
  registry.add_path("/nonexistent/structlab/plugins");
  EXPECT_NO_THROW(registry.scan());
  EXPECT_TRUE(registry.records().empty());
}

TEST(PluginRegistry, EnvironmentPathIsPartOfTheDefaults) {
  setenv("STRUCTLAB_PLUGIN_PATH", "/a/b:/c/d", 1);
  auto paths = default_plugin_paths();
  unsetenv("STRUCTLAB_PLUGIN_PATH");
  ASSERT_GE(paths.size(), 3u);
  EXPECT_EQ(paths[paths.size() - 2], fs::path("/a/b"));
  EXPECT_EQ(paths.back(), fs::path("/c/d"));
  EXPECT_EQ(paths.front().filename(), "plugins");
}

}  // namespace
}  // namespace structlab::plugin
