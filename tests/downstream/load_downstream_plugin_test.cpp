// Loads the out-of-tree plugin built by build_downstream.cmake through the real loader and uses it.

#include <gtest/gtest.h>

#include <cstdlib>

#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/registry.hpp"
#include "structlab/version.hpp"

namespace {

TEST(Downstream, PluginBuiltAgainstInstalledPackageLoadsAndGenerates) {
  const char* library = std::getenv("STRUCTLAB_DOWNSTREAM_PLUGIN");
  ASSERT_NE(library, nullptr) << "STRUCTLAB_DOWNSTREAM_PLUGIN is not set (ctest sets it)";
  structlab::plugin::PluginRegistry registry;
  registry.add_path(library);
  registry.scan();

  auto descriptor = registry.describe(structlab::plugin::PluginKind::generator, "downstream_wedge");
  EXPECT_EQ(descriptor.version, "2.0.0");
  EXPECT_EQ(descriptor.api_version, STRUCTLAB_PLUGIN_API_VERSION);

  structlab::Params params;
  params.set("width", std::int64_t{5});
  auto generator = registry.create_generator("downstream_wedge", params);
  auto graph = generator->generate(1);
  EXPECT_EQ(graph.num_vertices, 6);
  ASSERT_EQ(graph.edges.size(), 5u);
  EXPECT_EQ(graph.edges.back().target, 5);
}

}  // namespace
