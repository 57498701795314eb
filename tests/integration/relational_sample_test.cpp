// A structure sample of relational MLPs run end to end, as graph2nn's sweep is meant to be run from one spec:
// the sample previewed, every kept graph trained and archived with the graph, its parameters and its measures.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "structlab/archive/run_archive.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using testing::make_temp_dir;
using testing::run_structlab;

const char* const kRelationalSample = R"(experiment: relational
dataset: {plugin: function, train_size: 128, test_size: 32}
structure:
  plugin: ws_flex
  n: 8
  sample:
    candidates: 40
    ranges: {k: [2, 7], p: [0, 1]}
    bins: {average_clustering: [0, 1, 3], average_shortest_path_length: [1, 2.5, 3]}
model: {plugin: relational_mlp, layers: 2, width: 16}
training: {optimizer: adam, lr: 0.01, batch_size: 32, epochs: 1, threads: 1}
)";

TEST(RelationalSample, PreviewsRunsAndArchivesEachSampledGraphWithItsMeasures) {
  const fs::path dir = make_temp_dir("relational-sample");
  const fs::path spec = dir / "spec.yaml";
  std::ofstream(spec) << kRelationalSample;

  auto shown = run_structlab("graph sample " + spec.string() + " --json");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  const auto sample = nlohmann::json::parse(shown.out);
  EXPECT_EQ(sample["generator"], "ws_flex");
  EXPECT_EQ(sample["candidates"], 40);
  const auto& kept = sample["kept"];
  ASSERT_GE(kept.size(), 2u);
  std::map<std::int64_t, nlohmann::json> by_seed;
  for (const auto& graph : kept) by_seed[graph["graph_seed"].get<std::int64_t>()] = graph;

  auto table = run_structlab("graph sample " + spec.string());
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("structure sample: 40 ws_flex graphs drawn (sample seed 0)"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("average_shortest_path_length"), std::string::npos) << table.out;

  auto dry = run_structlab("run " + spec.string() + " --dry-run --out " + (dir / "out").string());
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("structure sample: 40 ws_flex graphs drawn"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("structure.graph_seed="), std::string::npos) << dry.out;

  auto run = run_structlab("run " + spec.string() + " --out " + (dir / "out").string());
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  std::size_t archives = 0;
  const std::regex graph_seed_line("graph_seed: ([0-9]+)");
  for (const auto& entry : fs::directory_iterator(dir / "out" / "relational")) {
    if (entry.path().extension() != ".h5") continue;
    ++archives;
    const auto contents = archive::read_archive(entry.path());
    std::smatch match;
    ASSERT_TRUE(std::regex_search(contents.spec_yaml, match, graph_seed_line)) << contents.spec_yaml;
    const auto found = by_seed.find(std::stoll(match[1].str()));
    ASSERT_NE(found, by_seed.end()) << "the archive's graph is one the sample kept";
    const auto& graph = found->second;
    // the drawn parameters are the run's spec; the relational graph and its measures are its structure
    EXPECT_NE(contents.spec_yaml.find("k: " ), std::string::npos);
    EXPECT_EQ(contents.structure.num_vertices(), 8);
    EXPECT_DOUBLE_EQ(contents.structure_metrics.at("average_clustering"),
                     graph["measures"]["average_clustering"].get<double>());
    EXPECT_DOUBLE_EQ(contents.structure_metrics.at("average_shortest_path_length"),
                     graph["measures"]["average_shortest_path_length"].get<double>());
    // 16 units in 8 groups of 2: the hidden-to-hidden mask holds 4 weights per linked ordered group pair
    const std::int64_t edges = contents.structure.num_edges();
    const auto& stage = contents.stages.front();
    const auto hidden = std::find_if(stage.layers.begin(), stage.layers.end(),
                                     [](const auto& layer) { return layer.name == "main_1"; });
    ASSERT_NE(hidden, stage.layers.end());
    EXPECT_EQ(hidden->mask.sum().item<std::int64_t>(), 4 * (2 * edges + 8));
  }
  EXPECT_EQ(archives, kept.size());
}

}  // namespace
}  // namespace structlab
