// Whole runs of the cell DAN (`model: dan_cells`) on Fashion-MNIST: edges pruned through a spec, the pruned
// graph archived per stage, every vertex counted as a unit, an archive that rebuilds, and images only.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "structlab/archive/run_archive.hpp"
#include "integration/spec_archive.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using testing::make_temp_dir;
using testing::run_structlab;

struct CellRun {
  std::string archive_path;
  archive::ArchiveSummary summary;
};

CellRun run_spec(const std::string& tag, const std::string& spec_text) {
  const std::string dir = make_temp_dir(tag);
  const std::string spec = dir + "/spec.yaml";
  std::ofstream(spec) << spec_text;
  auto result = run_structlab("run " + spec + " --out " + dir + "/out");
  EXPECT_EQ(result.exit_code, 0) << result.err << result.out;
  for (const auto& entry : fs::recursive_directory_iterator(dir + "/out")) {
    if (entry.path().extension() == ".h5")
      return {entry.path().string(), archive::read_archive(entry.path())};
  }
  ADD_FAILURE() << "no archive written";
  return {};
}

std::string cell_dan_spec(const std::string& pruning) {
  return R"(experiment: cell-dan
seeds: [3]
dataset: {plugin: idx, limit_train: 1000, limit_test: 300}
structure: {plugin: watts_strogatz, n: 16, k: 4, p: 0.25, orient: random}
model: {plugin: dan_cells, channels: 8}
training: {optimizer: adam, lr: 0.01, batch_size: 100, epochs: 1, threads: 1}
pruning:
)" + pruning;
}

TEST(CellDanRun, IterativeMagnitudePruningRemovesEdgesOfTheArchivedStructure) {
  const auto run = cell_dan_spec(R"(  plugin: magnitude_global
  selection: {rule: fraction, amount: 0.3, exclude_layers: [input]}
  schedule: {kind: iterative, levels: 2, retrain_epochs: 1, rewind: none}
)");
  const auto result = run_spec("cell-dan-iterative", run);
  const auto& summary = result.summary;
  ASSERT_EQ(summary.stages.size(), 3u);
  EXPECT_EQ(summary.stages[0].description, "trained");
  EXPECT_EQ(summary.structure.num_edges(), 32);  // WS(16, 4): n k / 2 edges
  // the trained model's structure is the generated one, vertex ids and all
  EXPECT_EQ(summary.stages[0].structure, summary.structure);
  std::int64_t previous_edges = summary.structure.num_edges();
  EXPECT_EQ(summary.stages[0].metrics.at("dead_units"), 0.0);
  for (std::size_t s = 1; s < summary.stages.size(); ++s) {
    const auto& stage = summary.stages[s];
    // 30% of the remaining edges per level: 32 -> 22 -> 15
    EXPECT_EQ(stage.structure.num_edges(), previous_edges - std::llround(0.3 * previous_edges))
        << "stage " << s;
    previous_edges = stage.structure.num_edges();
    for (const auto& edge : stage.structure.edges()) {
      EXPECT_TRUE(summary.structure.has_edge(edge.source, edge.target)) << "stage " << s << " grew an edge";
    }
  }
  for (const auto& stage : summary.stages) {
    EXPECT_EQ(stage.metrics.at("hidden_units"), 16.0);
    EXPECT_EQ(stage.structure.num_vertices(), 16);
    EXPECT_TRUE(stage.layers.front().mask.all().item<bool>()) << "the stem keeps feeding every source";
    // the masked layers are the aggregation weights; the cells' BatchNorm state is archived beside them
    EXPECT_EQ(stage.layers.front().name, "input");
    EXPECT_EQ(stage.layers.back().name.rfind("output_from_", 0), 0u);
    EXPECT_EQ(stage.parameters.count("cells_0.norm.running_var"), 1u);
  }
  // the output layers are excluded by default: every sink still feeds the output
  const auto& first_layers = summary.stages.front().layers;
  const auto& last_layers = summary.stages.back().layers;
  ASSERT_EQ(first_layers.size(), last_layers.size());
  for (std::size_t k = 0; k < last_layers.size(); ++k) {
    if (last_layers[k].name.rfind("output_from_", 0) == 0) {
      EXPECT_TRUE(torch::equal(last_layers[k].mask, first_layers[k].mask)) << last_layers[k].name;
    }
  }
  // the archive alone rebuilds the model, BatchNorm statistics included
  auto evaluated = run_structlab("evaluate " + result.archive_path);
  EXPECT_EQ(evaluated.exit_code, 0) << evaluated.err << evaluated.out;
}

TEST(CellDanRun, GradientPrunersScoreTheEdges) {
  const auto result = run_spec("cell-dan-taylor", cell_dan_spec(R"(  plugin: taylor
  batches: 2
  selection: {rule: count, amount: 5}
  schedule: {kind: one_shot}
)"));
  const auto& stages = result.summary.stages;
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[0].metrics.at("active_weights") - stages[1].metrics.at("active_weights"), 5.0);
  // the 5 weights are structure edges or stem -> source edges (the "input" layer)
  const auto stem_edges = [](const archive::StageRecord& stage) {
    return stage.layers.front().mask.sum().item<std::int64_t>();
  };
  const std::int64_t edges_gone = stages[0].structure.num_edges() - stages[1].structure.num_edges();
  EXPECT_EQ(edges_gone + stem_edges(stages[0]) - stem_edges(stages[1]), 5);
}

TEST(CellDanRun, ImagesOnly) {
  const auto result = testing::run_spec_text("cell-dan-flat", R"(experiment: cell-dan-flat
dataset: {plugin: function, train_size: 64, test_size: 16}
structure: {plugin: watts_strogatz, n: 8, k: 2, p: 0.1}
model: {plugin: dan_cells}
training: {epochs: 1}
)");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("[channels, height, width]"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace structlab
