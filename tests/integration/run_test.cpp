// `structlab run` end to end on small, fast specs: archives, skipping, forcing, failures, reproducibility,
// a run killed mid-way.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "structlab/archive/run_archive.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using testing::make_temp_dir;
using testing::run_structlab;

// A regression task on the synthetic function dataset with a small FFN: a run takes well under a second.
const char* kSmallSpec = R"(experiment: small
seeds: [1, 2]
dataset:
  plugin: function
  function: seed_example
  train_size: 256
  test_size: 64
model:
  plugin: ffn
  hidden_widths: [8, 8]
training:
  optimizer: adam
  lr: 0.01
  batch_size: 32
  epochs: 2
  threads: 1
)";

std::string write_spec(const std::string& dir, const std::string& text,
                       const std::string& name = "spec.yaml") {
  std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::vector<fs::path> archives_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Run, InspectListsNumberedMetricsInNumericOrder) {
  std::string dir = make_temp_dir("inspect_order");
  std::string spec = kSmallSpec;
  spec.replace(spec.find("[8, 8]"), 6, "[4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]");
  spec.replace(spec.find("[1, 2]"), 6, "[1]");
  auto run = run_structlab("run " + write_spec(dir, spec) + " --out " + dir + "/out");
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  auto files = archives_in(dir + "/out");
  ASSERT_EQ(files.size(), 1u);
  auto inspected = run_structlab("inspect " + files.front().string());
  ASSERT_EQ(inspected.exit_code, 0) << inspected.err;
  const auto& text = inspected.out;
  const auto width_2 = text.find("layer_width_2 "), width_9 = text.find("layer_width_9 "),
             width_10 = text.find("layer_width_10 ");
  ASSERT_NE(width_10, std::string::npos) << text;
  EXPECT_LT(width_2, width_9) << text;
  EXPECT_LT(width_9, width_10) << text;
}

TEST(Run, DryRunListsRunIdsWithoutWritingAnything) {
  std::string dir = make_temp_dir("dry");
  auto result = run_structlab("run " + write_spec(dir, kSmallSpec) + " --dry-run --out " + dir + "/out");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("0     small-"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("1     small-"), std::string::npos) << result.out;
  EXPECT_FALSE(fs::exists(dir + "/out"));
}

TEST(Run, WritesOneCompleteArchivePerRunThenSkipsThemThenForces) {
  std::string dir = make_temp_dir("runs");
  std::string spec = write_spec(dir, kSmallSpec);
  auto first = run_structlab("run " + spec + " --out " + dir + "/out");
  ASSERT_EQ(first.exit_code, 0) << first.err << first.out;
  auto files = archives_in(dir + "/out");
  ASSERT_EQ(files.size(), 2u);
  for (const auto& file : files) {
    EXPECT_EQ(file.extension(), ".h5");
    EXPECT_EQ(archive::archive_state(file), archive::ArchiveState::completed);
    auto summary = archive::read_archive(file);
    ASSERT_EQ(summary.stages.size(), 1u);
    EXPECT_EQ(summary.history.size(), 2u);  // two epochs
  }
  EXPECT_NE(first.out.find("2 runs, 0 failed"), std::string::npos) << first.out;

  auto again = run_structlab("run " + spec + " --out " + dir + "/out");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("skipped"), std::string::npos) << again.out;

  auto forced = run_structlab("run " + spec + " --out " + dir + "/out --force --run-index 1");
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.out.find("completed"), std::string::npos) << forced.out;
  EXPECT_NE(forced.out.find("1 runs, 0 failed"), std::string::npos) << forced.out;
}

TEST(Run, SameSpecTwiceGivesIdenticalWeightsMasksAndMetrics) {
  std::string dir = make_temp_dir("repro");
  std::string spec = write_spec(dir, kSmallSpec);
  ASSERT_EQ(run_structlab("run " + spec + " --run-index 0 --out " + dir + "/a").exit_code, 0);
  ASSERT_EQ(run_structlab("run " + spec + " --run-index 0 --out " + dir + "/b").exit_code, 0);
  auto a = archives_in(dir + "/a"), b = archives_in(dir + "/b");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].filename(), b[0].filename());  // same run id
  auto first = archive::read_archive(a[0]);
  auto second = archive::read_archive(b[0]);
  ASSERT_EQ(first.history.size(), second.history.size());
  for (std::size_t i = 0; i < first.history.size(); ++i) {
    EXPECT_EQ(first.history[i].train_loss, second.history[i].train_loss);
    EXPECT_EQ(first.history[i].test_loss, second.history[i].test_loss);
  }
  ASSERT_EQ(first.stages.size(), second.stages.size());
  const auto& metrics_a = first.stages[0].metrics;
  const auto& metrics_b = second.stages[0].metrics;
  ASSERT_EQ(metrics_a.size(), metrics_b.size());
  for (const auto& [name, value] : metrics_a) {
    double other = metrics_b.at(name);
    EXPECT_TRUE(value == other || (std::isnan(value) && std::isnan(other))) << name;  // accuracy is NaN here
  }
  const auto& layers_a = first.stages[0].layers;
  const auto& layers_b = second.stages[0].layers;
  ASSERT_EQ(layers_a.size(), layers_b.size());
  ASSERT_FALSE(layers_a.empty());
  for (std::size_t i = 0; i < layers_a.size(); ++i) {
    EXPECT_TRUE(torch::equal(layers_a[i].weight, layers_b[i].weight)) << layers_a[i].name;
    EXPECT_TRUE(torch::equal(layers_a[i].mask, layers_b[i].mask)) << layers_a[i].name;
  }
}

TEST(Run, InvalidSpecWritesNothingAndExits1) {
  std::string dir = make_temp_dir("invalid");
  std::string text = kSmallSpec;
  text.replace(text.find("lr: 0.01"), 8, "lr: fast");
  auto result = run_structlab("run " + write_spec(dir, text) + " --out " + dir + "/out");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("training.lr"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("spec.yaml:"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(dir + "/out"));
}

TEST(Run, DivergingRunIsRecordedAsFailedAndTheOthersGoOn) {
  std::string dir = make_temp_dir("diverge");
  std::string spec = write_spec(dir, kSmallSpec);
  // a grid over the learning rate: 1e30 makes the loss explode, 0.01 trains fine
  auto result = run_structlab("run " + spec + " --out " + dir +
                              "/out --set 'grid.training.lr=[1.0e30, 0.01]'" + " --set seeds=[1]");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.out.find("2 runs, 1 failed"), std::string::npos) << result.out << result.err;
  EXPECT_NE(result.out.find("diverged"), std::string::npos) << result.out;
  auto files = archives_in(dir + "/out");
  ASSERT_EQ(files.size(), 2u);
  int failed = 0, completed = 0;
  for (const auto& file : files) {
    auto state = archive::archive_state(file);
    failed += state == archive::ArchiveState::failed;
    completed += state == archive::ArchiveState::completed;
  }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(completed, 1);
}

TEST(Run, DanWithoutStructureIsRefusedBeforeAnyRun) {
  std::string dir = make_temp_dir("nostructure");
  std::string spec = write_spec(dir, R"(experiment: nostructure
dataset: {plugin: function, train_size: 32, test_size: 8}
model: {plugin: dan}
)");
  auto validated = run_structlab("validate " + spec);
  EXPECT_EQ(validated.exit_code, 1);
  EXPECT_NE(
      validated.err.find("spec.yaml:3:9: model.plugin: model plugin 'dan' builds on the run's structure, "
                         "but the spec has no `structure:` section"),
      std::string::npos)
      << validated.err;
  auto run = run_structlab("run " + spec + " --out " + dir + "/out");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_FALSE(fs::exists(dir + "/out"));
}

TEST(Run, RunIndexOutsideTheListIsAnError) {
  std::string dir = make_temp_dir("index");
  auto result = run_structlab("run " + write_spec(dir, kSmallSpec) + " --run-index 7 --out " + dir + "/out");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("--run-index 7"), std::string::npos) << result.err;
}

TEST(Run, KilledRunLeavesNoFinalArchiveAndIsRedoneNextTime) {
  std::string dir = make_temp_dir("kill");
  std::string text = kSmallSpec;
  text.replace(text.find("epochs: 2"), 9, "epochs: 300");
  text.replace(text.find("seeds: [1, 2]"), 13, "seeds: [1]");
  std::string spec = write_spec(dir, text);
  std::string out = dir + "/out";
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    execl(STRUCTLAB_TEST_CLI, STRUCTLAB_TEST_CLI, "run", spec.c_str(), "--out", out.c_str(), nullptr);
    _exit(127);
  }
  // wait until the run is writing its temporary archive, then kill it without warning
  bool partial_seen = false;
  for (int i = 0; i < 600 && !partial_seen; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (const auto& file : archives_in(out)) partial_seen |= file.extension() == ".partial";
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_TRUE(partial_seen);
  for (const auto& file : archives_in(out)) EXPECT_NE(file.extension(), ".h5") << file;

  // the same spec again: the run is redone (nothing complete under its name) and completes
  auto result = run_structlab("run " + spec + " --out " + out);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("completed"), std::string::npos) << result.out;
  int complete = 0;
  for (const auto& file : archives_in(out))
    complete += archive::archive_state(file) == archive::ArchiveState::completed;
  EXPECT_EQ(complete, 1);
}

}  // namespace
}  // namespace structlab
