// Everything written to a run archive comes back bit for bit.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "archive_samples.hpp"
#include "structlab/archive/run_archive.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using archive::LayerTensors;

// NaN-aware exact equality: the same bits, not merely close.
bool same_double(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void expect_same_metrics(const std::map<std::string, double>& expected,
                         const std::map<std::string, double>& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (const auto& [name, value] : expected) {
    ASSERT_EQ(actual.count(name), 1u) << name;
    EXPECT_TRUE(same_double(value, actual.at(name))) << name << ": " << value << " vs " << actual.at(name);
  }
}

void expect_same_tensor(const torch::Tensor& expected, const torch::Tensor& actual, const std::string& what) {
  ASSERT_TRUE(actual.defined()) << what;
  EXPECT_EQ(expected.scalar_type(), actual.scalar_type()) << what;
  EXPECT_EQ(expected.sizes(), actual.sizes()) << what;
  EXPECT_TRUE(torch::equal(expected, actual)) << what;
}

class ArchiveRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("archive-round-trip");
    path_ = fs::path(dir_) / "ws-fashion" / "ws-fashion-1a2b3c4d.h5";
    testing::write_sample_archive(path_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
  fs::path path_;
};

TEST_F(ArchiveRoundTrip, RootAttributesSpecAndPluginsComeBack) {
  archive::ArchiveSummary summary = archive::read_archive(path_);
  const auto& a = summary.attributes;
  archive::RunAttributes expected = testing::sample_attributes();
  EXPECT_EQ(a.at("structlab_version"), expected.structlab_version);
  EXPECT_EQ(a.at("run_id"), expected.run_id);
  EXPECT_EQ(a.at("spec_hash"), expected.spec_hash);
  EXPECT_EQ(a.at("seed"), "18446744073709551557");
  EXPECT_EQ(a.at("start_time"), expected.start_time);
  EXPECT_EQ(a.at("end_time"), "2024-05-01T12:03:00Z");
  EXPECT_EQ(a.at("host"), expected.host);
  EXPECT_EQ(a.at("torch_version"), expected.torch_version);
  EXPECT_EQ(a.at("sparse_kernels_isa"), "avx2");
  EXPECT_EQ(a.at("status"), "completed");
  EXPECT_EQ(a.at("message"), "");
  EXPECT_EQ(a.at("plugin.structure.name"), "newman_watts_strogatz");
  EXPECT_EQ(a.at("plugin.model.version"), "1.2.0");
  EXPECT_EQ(a.at("plugin.model.path"), "/lib/structlab/plugins/libdan.so");
  EXPECT_EQ(summary.spec_yaml, "experiment: ws-fashion\nseeds: [1]\n");
}

TEST_F(ArchiveRoundTrip, StructureGraphAndMetricsComeBack) {
  archive::ArchiveSummary summary = archive::read_archive(path_);
  EXPECT_TRUE(summary.structure == testing::sample_graph());
  EXPECT_EQ(summary.structure.layer_per_vertex(), testing::sample_graph().layer_per_vertex());
  expect_same_metrics({{"num_layers", 3.0}, {"clustering", 0.1}}, summary.structure_metrics);
}

TEST_F(ArchiveRoundTrip, StagesComeBackInIndexOrderWithEveryTensorExact) {
  archive::ArchiveSummary summary = archive::read_archive(path_);
  ASSERT_EQ(summary.stages.size(), 3u);
  // 100 sorts after 01 numerically although "100" < "11" as text
  std::vector<std::int64_t> indices{0, 1, 100};
  for (std::size_t s = 0; s < indices.size(); ++s) {
    archive::StageRecord expected = testing::sample_stage(indices[s]);
    const archive::StageRecord& actual = summary.stages[s];
    EXPECT_EQ(actual.index, expected.index);
    EXPECT_EQ(actual.description, expected.description);
    expect_same_metrics(expected.metrics, actual.metrics);
    expect_same_metrics(expected.structure_metrics, actual.structure_metrics);
    EXPECT_TRUE(actual.structure == expected.structure);
    ASSERT_EQ(actual.layers.size(), expected.layers.size());
    for (std::size_t l = 0; l < expected.layers.size(); ++l) {
      const auto& want = expected.layers[l];
      const auto& got = actual.layers[l];
      // written order, not alphabetical: "zeta_first" stays first
      EXPECT_EQ(got.name, want.name);
      EXPECT_EQ(got.source_layer, want.source_layer);
      EXPECT_EQ(got.target_layer, want.target_layer);
      expect_same_tensor(want.weight, got.weight, want.name + " weight");
      expect_same_tensor(want.mask, got.mask, want.name + " mask");
      EXPECT_EQ(want.bias.defined(), got.bias.defined()) << want.name;
      if (want.bias.defined()) expect_same_tensor(want.bias, got.bias, want.name + " bias");
    }
  }
}

TEST_F(ArchiveRoundTrip, MasksOnlyLeavesWeightsUndefinedButReadsMasks) {
  archive::ArchiveSummary summary = archive::read_archive(path_, LayerTensors::masks_only);
  ASSERT_FALSE(summary.stages.empty());
  const auto& layer = summary.stages[0].layers[0];
  EXPECT_FALSE(layer.weight.defined());
  EXPECT_FALSE(layer.bias.defined());
  expect_same_tensor(testing::sample_stage(0).layers[0].mask, layer.mask, "mask");
}

TEST_F(ArchiveRoundTrip, HistoryRowsComeBackInOrderIncludingNaN) {
  archive::ArchiveSummary summary = archive::read_archive(path_);
  ASSERT_EQ(summary.history.size(), 6u);
  std::size_t i = 0;
  for (std::int64_t stage : {0, 1}) {
    for (std::int64_t epoch = 1; epoch <= 3; ++epoch, ++i) {
      archive::HistoryRow want = testing::sample_row(stage, epoch);
      const archive::HistoryRow& got = summary.history[i];
      EXPECT_EQ(got.stage, want.stage);
      EXPECT_EQ(got.epoch, want.epoch);
      EXPECT_TRUE(same_double(got.train_loss, want.train_loss));
      EXPECT_TRUE(same_double(got.train_accuracy, want.train_accuracy));
      EXPECT_TRUE(same_double(got.test_loss, want.test_loss));
      EXPECT_TRUE(same_double(got.test_accuracy, want.test_accuracy));
      EXPECT_TRUE(same_double(got.learning_rate, want.learning_rate));
      EXPECT_TRUE(same_double(got.seconds, want.seconds));
      EXPECT_EQ(got.active_weights, want.active_weights);
    }
  }
}

TEST_F(ArchiveRoundTrip, AnArchiveWithNoStagesAndNoHistoryReadsBackEmpty) {
  fs::path path = fs::path(dir_) / "empty.h5";
  {
    archive::RunArchiveWriter writer(path);
    writer.write_run_attributes(testing::sample_attributes());
    writer.write_spec("");
    writer.write_structure(graph::LayeredGraph(3), {});
    writer.finish("failed", "dataset missing", "2024-05-01T12:00:01Z");
  }
  archive::ArchiveSummary summary = archive::read_archive(path);
  EXPECT_TRUE(summary.stages.empty());
  EXPECT_TRUE(summary.history.empty());
  EXPECT_EQ(summary.structure.num_vertices(), 3);
  EXPECT_EQ(summary.structure.num_edges(), 0);
  EXPECT_EQ(summary.attributes.at("status"), "failed");
  EXPECT_EQ(summary.attributes.at("message"), "dataset missing");
}

TEST_F(ArchiveRoundTrip, ADoubleMaskIsStoredAsItsNonZeroPattern) {
  fs::path path = fs::path(dir_) / "float-mask.h5";
  archive::StageRecord stage = testing::sample_stage(0);
  torch::Tensor bool_mask = stage.layers[0].mask;
  stage.layers[0].mask = bool_mask.to(torch::kFloat64) * 3.5;
  {
    archive::RunArchiveWriter writer(path);
    writer.write_spec("");
    writer.write_structure(testing::sample_graph(), {});
    writer.write_stage(stage);
    writer.finish("completed", "", "");
  }
  expect_same_tensor(bool_mask, archive::read_archive(path).stages[0].layers[0].mask, "mask");
}

}  // namespace
}  // namespace structlab
