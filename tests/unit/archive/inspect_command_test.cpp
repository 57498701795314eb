// `structlab inspect` as a user runs it on an archive.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "archive_samples.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;

class InspectCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("inspect");
    path_ = fs::path(dir_) / "ws-fashion-1a2b3c4d.h5";
    testing::write_sample_archive(path_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
  fs::path path_;
};

TEST_F(InspectCommand, TextShowsRunPluginsStagesAndHistory) {
  auto result = testing::run_structlab("inspect '" + path_.string() + "'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("ws-fashion-1a2b3c4d"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("completed"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("18446744073709551557"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("newman_watts_strogatz"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("pruned level 100 (magnitude_global)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("0.8125"), std::string::npos) << result.out;  // stage 00's test accuracy
  EXPECT_NE(result.out.find("history (6 epochs)"), std::string::npos) << result.out;
}

TEST_F(InspectCommand, JsonCarriesTheSameFacts) {
  auto result = testing::run_structlab("inspect --json '" + path_.string() + "'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["attributes"]["run_id"], "ws-fashion-1a2b3c4d");
  EXPECT_EQ(json["plugins"]["model"]["name"], "dan");
  EXPECT_EQ(json["plugins"]["model"]["version"], "1.2.0");
  EXPECT_EQ(json["structure"]["num_vertices"], 6);
  EXPECT_EQ(json["structure"]["num_edges"], 8);
  ASSERT_EQ(json["stages"].size(), 3u);
  EXPECT_EQ(json["stages"][2]["index"], 100);
  EXPECT_DOUBLE_EQ(json["stages"][0]["test_accuracy"].get<double>(), 0.8125);
  EXPECT_TRUE(json["stages"][0]["metrics"]["r_squared"].is_null());  // NaN
  // active weights are counted from the masks themselves
  archive::StageRecord stage = testing::sample_stage(0);
  std::int64_t active = 0, total = 0;
  for (const auto& layer : stage.layers) {
    active += layer.mask.sum().item<std::int64_t>();
    total += layer.mask.numel();
  }
  EXPECT_EQ(json["stages"][0]["active_weights"], active);
  EXPECT_EQ(json["stages"][0]["total_weights"], total);
  EXPECT_EQ(json["stages"][0]["layers"][0]["name"], "zeta_first");
  ASSERT_EQ(json["history"].size(), 6u);
  EXPECT_TRUE(json["history"][0]["test_accuracy"].is_null());  // epoch 1: NaN accuracy
  EXPECT_EQ(json["history"][5]["stage"], 1);
  EXPECT_EQ(json["history"][5]["active_weights"], 37);
}

TEST_F(InspectCommand, MissingFileOrNotAnArchiveExits1NamingThePath) {
  fs::path missing = fs::path(dir_) / "missing.h5";
  auto result = testing::run_structlab("inspect '" + missing.string() + "'");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find(missing.string()), std::string::npos) << result.err;

  fs::path garbage = fs::path(dir_) / "garbage.h5";
  testing::write_bytes(garbage, "not an archive");
  result = testing::run_structlab("inspect --json '" + garbage.string() + "'");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(result.out.empty()) << result.out;
  EXPECT_NE(result.err.find(garbage.string()), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("not an HDF5 file"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace structlab
