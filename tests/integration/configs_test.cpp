// Every example spec in configs/ is valid as it is, and shortened versions of the headline ones train.

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <nlohmann/json.hpp>

#include "structlab/nn/sparse_kernels.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using testing::make_temp_dir;
using testing::run_structlab;

TEST(Configs, EveryExampleSpecValidates) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(STRUCTLAB_TEST_SOURCE_DIR) / "configs")) {
    if (entry.path().extension() != ".yaml") continue;
    auto result = run_structlab("validate " + entry.path().string());
    EXPECT_EQ(result.exit_code, 0) << entry.path() << "\n" << result.err;
    EXPECT_NE(result.out.find("valid"), std::string::npos) << result.out;
    ++checked;
  }
  EXPECT_GE(checked, 6);
}

// The first run archive found under \p out_dir; empty (and a test failure) when there is none.
std::string first_archive(const std::string& out_dir) {
  for (const auto& entry : fs::recursive_directory_iterator(out_dir)) {
    if (entry.path().extension() == ".h5") return entry.path().string();
  }
  ADD_FAILURE() << "no archive in " << out_dir;
  return "";
}

// Test accuracy of the last stage of \p archive, read back through `structlab inspect --json`.
double final_accuracy_of(const std::string& archive) {
  auto inspected = run_structlab("inspect --json " + archive);
  EXPECT_EQ(inspected.exit_code, 0) << inspected.err;
  if (inspected.exit_code != 0) return 0;
  return nlohmann::json::parse(inspected.out)["stages"].back()["metrics"]["test_accuracy"].get<double>();
}

// Test accuracy of the last stage of the (first) run archived under \p out_dir.
double final_accuracy(const std::string& out_dir) {
  const std::string archive = first_archive(out_dir);
  return archive.empty() ? 0 : final_accuracy_of(archive);
}

TEST(Configs, ShortenedFashionMlpLearns) {
  std::string dir = make_temp_dir("fashion-mlp");
  auto result = run_structlab(std::string("run ") + STRUCTLAB_TEST_SOURCE_DIR +
                              "/configs/fashion-mlp.yaml --out " + dir +
                              " --set dataset.limit_train=6000 --set dataset.limit_test=1000 --set training.epochs=2");
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_GT(final_accuracy(dir), 0.70);
}

TEST(Configs, ShortenedLotteryTicketKeepsAccuracyAtLowerDensity) {
  std::string dir = make_temp_dir("lth");
  auto result = run_structlab(std::string("run ") + STRUCTLAB_TEST_SOURCE_DIR + "/configs/lenet300-lth.yaml --out " +
                              dir +
                              " --set dataset.limit_train=4000 --set dataset.limit_test=1000 --set training.epochs=2"
                              " --set pruning.schedule.levels=2");
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_GT(final_accuracy(dir), 0.65);
}

TEST(Configs, ShortenedGraph2nnSweepTrainsTheBaselineAndEverySampledGraph) {
  std::string dir = make_temp_dir("graph2nn");
  const std::string spec = std::string(STRUCTLAB_TEST_SOURCE_DIR) + "/configs/graph2nn-mlp.yaml";
  const std::string shorter =
      " --set dataset.limit_train=2000 --set dataset.limit_test=500 --set training.epochs=1 --set model.layers=2"
      " --set model.width=128 --set structure.sample.candidates=300 --set 'seeds=[1]'"
      " --set training.lr_schedule.kind=none"
      " --set 'structure.sample.bins.average_clustering=[0, 0.8, 2]'"
      " --set 'structure.sample.bins.average_shortest_path_length=[1, 4.5, 2]'";
  auto sample = run_structlab("graph sample " + spec + shorter + " --json");
  ASSERT_EQ(sample.exit_code, 0) << sample.err;
  const auto kept = nlohmann::json::parse(sample.out)["kept"];
  ASSERT_GE(kept.size(), 3u) << "the baseline and at least two of the four bins";
  EXPECT_EQ(kept[0]["candidate"], -1);
  EXPECT_EQ(kept[0]["measures"]["average_clustering"], 1.0) << "the complete graph";
  auto result = run_structlab("run " + spec + " --out " + dir + shorter);
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  std::size_t archives = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "graph2nn-mlp")) {
    if (entry.path().extension() != ".h5") continue;
    ++archives;
    // one epoch on 2000 images through 64 groups of 2 units: well above chance (0.1), far from converged
    EXPECT_GT(final_accuracy_of(entry.path().string()), 0.3) << entry.path();
  }
  EXPECT_EQ(archives, kept.size());
}

TEST(Configs, ShortenedRiglOnADanRewiresItsGraphAtAConstantEdgeCount) {
  std::string dir = make_temp_dir("rigl-dan-ws");
  auto result = run_structlab(std::string("run ") + STRUCTLAB_TEST_SOURCE_DIR + "/configs/rigl-dan-ws.yaml --out " +
                              dir +
                              " --set dataset.limit_train=2000 --set dataset.limit_test=500 --set training.epochs=2"
                              " --set structure.n=60 --set structure.k=6 --set pruning.schedule.update_every=5");
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const std::string archive = first_archive(dir);
  ASSERT_FALSE(archive.empty());
  // the generated graph, then each epoch's snapshot: edge count and clustering C (Debian's python3 with h5py)
  auto read = testing::run_process(
      "/usr/bin/python3 -c \"import h5py, sys; f = h5py.File(sys.argv[1], 'r'); "
      "groups = [f['structure']] + [f['snapshots'][s]['structure'] for s in sorted(f['snapshots'])]; "
      "[print(int(g.attrs['edges']), repr(float(g.attrs['average_clustering']))) for g in groups]\" " +
      archive);
  ASSERT_EQ(read.exit_code, 0) << read.err;
  std::istringstream lines(read.out);
  std::vector<std::pair<long, double>> graphs;
  for (long edges = 0; lines >> edges;) {
    double clustering = 0;
    lines >> clustering;
    graphs.emplace_back(edges, clustering);
  }
  ASSERT_EQ(graphs.size(), 3u) << read.out;  // generated, after epoch 1, after epoch 2
  for (const auto& [edges, clustering] : graphs) EXPECT_EQ(edges, 60 * 6 / 2) << "RigL keeps the edge count";
  EXPECT_NE(graphs.back().second, graphs.front().second) << "and rewires the graph: " << read.out;
}

}  // namespace
TEST(Configs, ShortenedGradualPruningTo95TrainsAlikeOnTheSparseAndTheDenseKernels) {
  // the same run with the sparse path (auto, which takes it once the layers are pruned below the crossover) and
  // without it: both reach 95% sparsity and learn, to accuracies within float-rounding distance of each other
  const std::string spec = std::string(STRUCTLAB_TEST_SOURCE_DIR) + "/configs/ffn-gradual95.yaml";
  const std::string shorter =
      " --set dataset.limit_train=3000 --set dataset.limit_test=1000 --set training.epochs=1"
      " --set 'model.hidden_widths=[300, 300]' --set pruning.schedule.end_epoch=1"
      " --set pruning.schedule.finetune_epochs=1 --set pruning.schedule.frequency=5";
  double accuracy[2] = {0, 0};
  const char* modes[2] = {"auto", "off"};
  for (int m = 0; m < 2; ++m) {
    const std::string dir = make_temp_dir(std::string("gradual95-") + modes[m]);
    auto result = run_structlab("run " + spec + " --out " + dir + shorter + " --set training.sparse_kernels=" +
                                modes[m] + " --set training.eval_sparse_kernels=" + modes[m]);
    ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
    const std::string archive = first_archive(dir);
    ASSERT_FALSE(archive.empty());
    auto inspected = run_structlab("inspect --json " + archive);
    ASSERT_EQ(inspected.exit_code, 0) << inspected.err;
    const auto metrics = nlohmann::json::parse(inspected.out)["stages"].back()["metrics"];
    // the archive names the instruction set the kernels ran with
    auto text = run_structlab("inspect " + archive);
    EXPECT_NE(text.out.find("(sparse kernels for " + nn::sparse_kernel_isa() + ")"), std::string::npos) << text.out;
    EXPECT_NEAR(metrics["density"].get<double>(), 0.05, 0.01) << modes[m];
    accuracy[m] = metrics["test_accuracy"].get<double>();
    EXPECT_GT(accuracy[m], 0.6) << modes[m];
  }
  EXPECT_NEAR(accuracy[0], accuracy[1], 0.02);
}

}  // namespace structlab
