// The built-in model kinds `ffn` and `dan`, loaded as the runner loads them.

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "structlab/error.hpp"
#include "structlab/plugin/model_kind.hpp"
#include "structlab/plugin/registry.hpp"
#include "unit/nn/test_structures.hpp"

namespace structlab::plugin {
namespace {

// A ModelContext as the runner fills it, with a seeded generator for the initial weights.
ModelContext context_of(const graph::LayeredGraph* structure, std::vector<std::int64_t> input_shape,
                        std::int64_t num_outputs) {
  ModelContext context;
  context.structure = structure;
  context.input_shape = std::move(input_shape);
  context.num_outputs = num_outputs;
  context.generator = at::make_generator<at::CPUGeneratorImpl>(1);
  return context;
}

using nn::testing::message_of;

PluginRegistry model_registry() {
  PluginRegistry registry;
  for (const char* name : {"structlab_model_ffn", "structlab_model_dan"}) {
    registry.add_path(std::filesystem::path(STRUCTLAB_TEST_PLUGIN_DIR) / (std::string("lib") + name + ".so"));
  }
  registry.scan();
  return registry;
}

TEST(ModelPlugins, FfnBuildsFromWidthsWithoutStructure) {
  auto registry = model_registry();
  Params params;
  params.set("hidden_widths", std::vector<std::int64_t>{7, 5});
  auto kind = registry.create_model_kind("ffn", params);
  EXPECT_FALSE(kind->needs_structure());
  auto model = kind->build(context_of(nullptr, {1, 2, 3}, 4));
  EXPECT_EQ(model->forward(torch::randn({2, 1, 2, 3})).sizes(), (std::vector<std::int64_t>{2, 4}));
  EXPECT_EQ(model->parameter_count(), 6 * 7 + 7 + 7 * 5 + 5 + 5 * 4 + 4);
  EXPECT_EQ(model->masked_layers().size(), 3u);
}

TEST(ModelPlugins, FfnDefaultsAndBiasOption) {
  auto registry = model_registry();
  auto defaults = registry.create_model_kind("ffn", Params())->build(context_of(nullptr, {10}, 2));
  EXPECT_EQ(defaults->total_weight_count(), 10 * 100 + 100 * 100 + 100 * 2);
  Params no_bias;
  no_bias.set("hidden_widths", std::vector<std::int64_t>{3});
  no_bias.set("bias", false);
  auto model = registry.create_model_kind("ffn", no_bias)->build(context_of(nullptr, {4}, 2));
  EXPECT_EQ(model->parameter_count(), 4 * 3 + 3 * 2);
}

TEST(ModelPlugins, FfnRejectsANonPositiveWidthNamingTheKey) {
  auto registry = model_registry();
  Params params;
  params.set("hidden_widths", std::vector<std::int64_t>{4, 0});
  EXPECT_THROW(registry.create_model_kind("ffn", params), ConfigError);
  auto message = message_of([&] { registry.create_model_kind("ffn", params); });
  EXPECT_NE(message.find("hidden_widths"), std::string::npos) << message;
  EXPECT_NE(message.find("entry 1 is 0"), std::string::npos) << message;
}

TEST(ModelPlugins, DanBuildsOnTheRunsStructureWithItsOptions) {
  auto registry = model_registry();
  auto structure = nn::testing::small_dag();
  Params params;
  params.set("sinks_to_output", true);
  params.set("aggregate", std::string("activation_of_sum"));
  auto kind = registry.create_model_kind("dan", params);
  EXPECT_TRUE(kind->needs_structure());
  auto model = kind->build(context_of(&structure, {4}, 3));
  EXPECT_EQ(model->forward(torch::randn({5, 4})).sizes(), (std::vector<std::int64_t>{5, 3}));
  EXPECT_EQ(model->generate_structure(false, false), structure);
  auto refs = model->masked_layers();
  EXPECT_EQ(refs[refs.size() - 2].name, "output_from_2");  // the sink of layer 2 feeds the outputs too
  std::ostringstream text;
  model->pretty_print(text);
  EXPECT_NE(text.str().find("aggregate=activation_of_sum"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("parameters=" + std::to_string(model->parameter_count())), std::string::npos);

  Params with_norm;
  with_norm.set("layer_norm", true);
  auto normed = registry.create_model_kind("dan", with_norm)->build(context_of(&structure, {4}, 3));
  EXPECT_GT(normed->parameter_count(),
            registry.create_model_kind("dan", Params())->build(context_of(&structure, {4}, 3))->parameter_count());
}

TEST(ModelPlugins, DanWithoutStructureOrWithUnknownAggregateIsAConfigError) {
  auto registry = model_registry();
  auto kind = registry.create_model_kind("dan", Params());
  EXPECT_THROW(kind->build(context_of(nullptr, {4}, 3)), ConfigError);
  auto missing = message_of([&] { kind->build(context_of(nullptr, {4}, 3)); });
  EXPECT_NE(missing.find("structure"), std::string::npos) << missing;

  Params params;
  params.set("aggregate", std::string("maximum"));
  EXPECT_THROW(registry.create_model_kind("dan", params), ConfigError);
  auto unknown = message_of([&] { registry.create_model_kind("dan", params); });
  EXPECT_NE(unknown.find("'maximum'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("activation_of_sum"), std::string::npos) << unknown;
}

TEST(ModelPlugins, BadShapesFromTheRunnerAreModelErrors) {
  auto registry = model_registry();
  auto structure = nn::testing::small_dag();
  EXPECT_THROW(registry.create_model_kind("dan", Params())->build(context_of(&structure, {4}, 0)), ModelError);
  EXPECT_THROW(registry.create_model_kind("ffn", Params())->build(context_of(nullptr, {}, 3)), ModelError);
}

}  // namespace
}  // namespace structlab::plugin
