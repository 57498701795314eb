// The `structlab` program as a user runs it: subcommands, exit codes, output formats.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_process.hpp"

namespace structlab {
namespace {

using testing::run_structlab;

TEST(Cli, VersionNamesTorchBlasAndThreads) {
  auto result = run_structlab("version");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("structlab   0."), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("LibTorch    1."), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("BLAS"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("threads"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("sparse      kernels for "), std::string::npos) << result.out;
}

TEST(Cli, UnknownSubcommandPrintsUsageOnStderrAndExits2) {
  auto result = run_structlab("frobnicate");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(result.out.empty()) << result.out;
  EXPECT_NE(result.err.find("frobnicate"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("Usage"), std::string::npos) << result.err;
}

TEST(Cli, UnknownFlagExits2) {
  auto result = run_structlab("plugins --no-such-flag");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--no-such-flag"), std::string::npos) << result.err;
}

TEST(Cli, NoSubcommandExits2) {
  auto result = run_structlab("");
  EXPECT_EQ(result.exit_code, 2);
}

TEST(Cli, PluginsJsonIsValidAndListsFixturePluginsWithParameters) {
  auto result = run_structlab(std::string("plugins --json --plugin-path ") + STRUCTLAB_TEST_FIXTURE_DIR +
                              "/libfixture_good.so");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto json = nlohmann::json::parse(result.out);
  ASSERT_TRUE(json.is_array());
  auto it = std::find_if(json.begin(), json.end(), [](const auto& p) { return p["name"] == "fixture_path"; });
  ASSERT_NE(it, json.end()) << result.out;
  EXPECT_EQ((*it)["kind"], "generator");
  EXPECT_EQ((*it)["parameters"][0]["name"], "n");
  EXPECT_EQ((*it)["parameters"][0]["required"], true);
  EXPECT_EQ((*it)["parameters"][1]["default"], "path");
  EXPECT_NE((*it)["path"].get<std::string>().find("libfixture_good.so"), std::string::npos);
}

TEST(Cli, PluginsKindFilterKeepsOnlyThatKind) {
  auto result = run_structlab(std::string("plugins --json --kind model --plugin-path ") + STRUCTLAB_TEST_FIXTURE_DIR +
                              "/libfixture_good.so");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const auto& plugin : nlohmann::json::parse(result.out)) EXPECT_EQ(plugin["kind"], "model");
}

TEST(Cli, PluginsShowsRefusedPluginWithReason) {
  auto result = run_structlab(std::string("plugins --plugin-path ") + STRUCTLAB_TEST_FIXTURE_DIR +
                              "/libfixture_wrong_api.so");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("REFUSED"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("plugin API version 999"), std::string::npos) << result.out;
}

TEST(Cli, UnknownKindIsAnErrorNamingTheChoices) {
  auto result = run_structlab("plugins --kind widgets");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("generator, model, pruner, dataset or grower"), std::string::npos) << result.err;
}

TEST(Cli, DuplicatePluginsOnThePathAreReported) {
  auto result = run_structlab(std::string("plugins --plugin-path ") + STRUCTLAB_TEST_FIXTURE_DIR +
                              "/libfixture_good.so --plugin-path " + STRUCTLAB_TEST_FIXTURE_DIR +
                              "/libfixture_duplicate.so");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("registered twice"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace structlab
