// `structlab slurm` on a real Slurm: a single-node cluster (Debian's munged, slurmctld and slurmd, 2 CPUs on
// localhost) started from a temporary folder by tests/support/slurm_cluster.sh for this suite and stopped
// after it. Needs root and the packages tools/setup.sh installs; skipped with the reason otherwise.
// Runs tiny sweeps and checks them against the same runs made locally with `structlab run`, bit for bit.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "structlab/archive/run_archive.hpp"
#include "support/archive_compare.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;
using testing::run_process;
using testing::run_structlab;

using testing::contains;

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

// `rows` rows of four features and a label, with enough rows that a run trains for a few seconds when asked.
std::string write_csv(const std::string& dir, int rows) {
  std::string path = dir + "/data.csv";
  std::ofstream out(path);
  out << "a,b,c,d,label\n";
  for (int i = 0; i < rows; ++i) {
    double a = std::fmod(i * 0.618034, 1.0), b = std::fmod(i * 0.414214, 1.0);
    double c = std::fmod(i * 0.732051, 1.0), d = std::fmod(i * 0.236068, 1.0);
    out << fmt::format("{:.4f},{:.4f},{:.4f},{:.4f},{}\n", a, b, c, d, a + b > 1.0 ? 1 : 0);
  }
  return path;
}

class SlurmCluster : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) {
      skip_reason_ = "not root: the test cluster's slurmd must run as root to start jobs (CI runs as root)";
      return;
    }
    for (const char* program : {"munged", "slurmctld", "slurmd", "sbatch", "scontrol", "squeue"}) {
      if (run_process(std::string("command -v ") + program).exit_code != 0) {
        skip_reason_ = std::string(program) +
                       " is not installed: tools/setup.sh installs munge, slurmctld, slurmd and slurm-client";
        return;
      }
    }
    dir_ = testing::make_temp_dir("slurm-cluster");
    ProcessResult started =
        run_process("bash " STRUCTLAB_TEST_SOURCE_DIR "/tests/support/slurm_cluster.sh start " + dir_);
    if (started.exit_code != 0) {
      start_error_ = "the test Slurm cluster did not start (exit " + std::to_string(started.exit_code) +
                     "): " + started.err + started.out;
      return;
    }
    ::setenv("SLURM_CONF", (dir_ + "/slurm.conf").c_str(), 1);
  }

  static void TearDownTestSuite() {
    if (dir_.empty()) return;
    run_process("bash " STRUCTLAB_TEST_SOURCE_DIR "/tests/support/slurm_cluster.sh stop " + dir_);
    ::unsetenv("SLURM_CONF");
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    ASSERT_EQ(start_error_, "");
    work_ = testing::make_temp_dir("slurm-sweep");
  }

  void TearDown() override {
    if (!work_.empty() && !HasFailure()) fs::remove_all(work_);
  }

  // `structlab slurm ARGS` with the tasks running the built program (its option first: ARGS may end with
  // `-- SBATCH-ARGS`); returns the array and collect job ids.
  std::pair<std::string, std::string> submit(const std::string& arguments, ProcessResult* output = nullptr) {
    ProcessResult result = run_structlab("slurm --structlab " STRUCTLAB_TEST_CLI " " + arguments);
    if (output) *output = result;
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    std::smatch array, collect;
    std::regex_search(result.out, array, std::regex("submitted array job ([0-9]+)"));
    std::regex_search(result.out, collect, std::regex("submitted job ([0-9]+): collect"));
    EXPECT_FALSE(array.empty()) << result.out;
    EXPECT_FALSE(collect.empty()) << result.out;
    return {array.empty() ? "" : array[1].str(), collect.empty() ? "" : collect[1].str()};
  }

  // Waits until none of \p jobs is pending or running; false after \p seconds.
  static bool wait_for(const std::vector<std::string>& jobs, int seconds = 240) {
    std::string list;
    for (const auto& job : jobs) list += (list.empty() ? "" : ",") + job;
    for (int i = 0; i < seconds * 2; ++i) {
      ProcessResult queue = run_process("squeue --noheader --jobs=" + list + " --format=%i");
      if (queue.exit_code == 0 && queue.out.find_first_not_of(" \n") == std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return false;
  }

  static std::string job_state(const std::string& job) {
    ProcessResult shown = run_process("scontrol --oneliner show job " + job);
    std::smatch state;
    std::regex_search(shown.out, state, std::regex("JobState=([A-Z_]+)"));
    return state.empty() ? "unknown: " + shown.out + shown.err : state[1].str();
  }

  // Every task log of the experiment, by file name.
  std::map<std::string, std::string> logs(const std::string& out, const std::string& experiment) const {
    std::map<std::string, std::string> texts;
    const fs::path dir = fs::path(out) / experiment / "slurm" / "logs";
    if (!fs::is_directory(dir)) return texts;
    for (const auto& entry : fs::directory_iterator(dir)) texts[entry.path().filename().string()] = testing::read_text(entry.path());
    return texts;
  }

  std::string all_logs(const std::string& out, const std::string& experiment) const {
    std::string text;
    for (const auto& [name, log] : logs(out, experiment)) text += "==> " + name + "\n" + log;
    return text;
  }

  // Every completed archive under \p out/experiment, by file name.
  static std::map<std::string, archive::ArchiveSummary> archives(const std::string& out, const std::string& experiment) {
    std::map<std::string, archive::ArchiveSummary> found;
    for (const auto& entry : fs::directory_iterator(fs::path(out) / experiment)) {
      if (entry.path().extension() == ".h5") found[entry.path().filename().string()] = archive::read_archive(entry.path());
    }
    return found;
  }

  // The archives under \p slurm_out equal those under \p local_out, name for name, bit for bit.
  void expect_same_archives(const std::string& local_out, const std::string& slurm_out, const std::string& experiment,
                            std::size_t count) {
    const auto expected = archives(local_out, experiment);
    const auto actual = archives(slurm_out, experiment);
    ASSERT_EQ(expected.size(), count);
    ASSERT_EQ(actual.size(), count) << all_logs(slurm_out, experiment);
    for (const auto& [name, summary] : expected) {
      ASSERT_EQ(actual.count(name), 1u) << name;
      EXPECT_EQ(testing::first_difference(summary, actual.at(name)), "") << name;
    }
  }

  inline static std::string skip_reason_;
  inline static std::string start_error_;
  inline static std::string dir_;
  std::string work_;
};

// 3 learning rates x 2 seeds of a small FFN: 6 runs of a second or so.
std::string grid_spec(const std::string& csv) {
  return fmt::format(
      "experiment: grid\nseeds: [1, 2]\ndataset: {{plugin: csv, path: {}, target: label}}\n"
      "model: {{plugin: ffn, hidden_widths: [8]}}\n"
      "training: {{optimizer: adam, lr: 0.02, batch_size: 32, epochs: 3, threads: 1}}\n"
      "grid: {{training.lr: [0.01, 0.02, 0.05]}}\n",
      csv);
}

TEST_F(SlurmCluster, GridRunsAsAnArrayAndEqualsLocalRuns) {
  const std::string spec = work_ + "/grid.yaml";
  std::ofstream(spec) << grid_spec(write_csv(work_, 240));
  ASSERT_EQ(run_structlab(fmt::format("run {} --out {}/local", spec, work_)).exit_code, 0);

  const std::string out = work_ + "/cluster";
  auto [array, collect] = submit(fmt::format("{} --out {} --max-parallel 2", spec, out));
  ASSERT_TRUE(wait_for({array, collect})) << all_logs(out, "grid");
  EXPECT_EQ(job_state(collect), "COMPLETED") << all_logs(out, "grid");
  expect_same_archives(work_ + "/local", out, "grid", 6);
  EXPECT_EQ(logs(out, "grid").size(), 7u) << "6 task logs and the collect job's";
  const std::string table = testing::read_text(out + "/grid/results.csv");
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 7) << "a header and 6 runs of one stage\n" << table;
  EXPECT_GT(fs::file_size(out + "/grid/report.html"), 1000u);
  ProcessResult status = run_structlab(fmt::format("status {} --out {}", spec, out));
  EXPECT_TRUE(contains(status.out, "6 runs: 6 completed")) << status.out;

  // submitting again: nothing to run, nothing submitted
  ProcessResult again = run_structlab(fmt::format("slurm {} --out {} --structlab {}", spec, out, STRUCTLAB_TEST_CLI));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(contains(again.out, "all 6 runs are complete")) << again.out;
  EXPECT_FALSE(contains(again.out, "submitted")) << again.out;

  // one archive lost: exactly that run is submitted
  const auto names = archives(out, "grid");
  const std::string lost = names.begin()->first;
  fs::remove(fs::path(out) / "grid" / lost);
  ProcessResult output;
  auto [array2, collect2] = submit(fmt::format("{} --out {} --max-parallel 2", spec, out), &output);
  EXPECT_TRUE(contains(output.out, "1 of 6 runs to submit (5 complete) in 1 array task")) << output.out;
  ASSERT_TRUE(wait_for({array2, collect2})) << all_logs(out, "grid");
  const std::string log = testing::read_text(fs::path(out) / "grid" / "slurm" / "logs" / ("grid_" + array2 + "_0.out"));
  EXPECT_EQ(count_of(log, "structlab-slurm: run "), 1u) << log;
  EXPECT_TRUE(contains(log, "structlab-slurm: run " + fs::path(lost).stem().string())) << log;
  expect_same_archives(work_ + "/local", out, "grid", 6);
}

// Epochs of the runs that are stopped in the middle: several seconds of training on one core.
constexpr int kLongEpochs = 100;

// 2 runs that train for several seconds each, so that they can be stopped in the middle.
std::string long_spec(const std::string& csv) {
  return fmt::format(
      "experiment: long\nseeds: [1, 2]\ndataset: {{plugin: csv, path: {}, target: label}}\n"
      "model: {{plugin: ffn, hidden_widths: [64, 64]}}\n"
      "training: {{optimizer: adam, lr: 0.01, batch_size: 4, epochs: {}, threads: 1}}\n",
      csv, kLongEpochs);
}

TEST_F(SlurmCluster, RequeuedAndTimeLimitSignalledTasksResumeBitIdentical) {
  const std::string spec = work_ + "/long.yaml";
  std::ofstream(spec) << long_spec(write_csv(work_, 2000));
  ASSERT_EQ(run_structlab(fmt::format("run {} --out {}/local", spec, work_)).exit_code, 0);

  const std::string out = work_ + "/cluster";
  auto [array, collect] = submit(fmt::format("{} --out {} --max-parallel 2", spec, out));
  // both tasks are training once their partial archives exist
  bool training = false;
  for (int i = 0; i < 720 && !training; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    int partial = 0;
    if (fs::is_directory(out + "/long")) {
      for (const auto& entry : fs::directory_iterator(out + "/long")) partial += entry.path().extension() == ".partial";
    }
    training = partial == 2;
  }
  ASSERT_TRUE(training) << all_logs(out, "long");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  // task 0: requeued by the administrator (Slurm sends TERM); task 1: the time-limit warning (USR1 to the batch
  // shell, as --signal=B:USR1@N sends it)
  EXPECT_EQ(run_process("scontrol requeue " + array + "_0").exit_code, 0);
  EXPECT_EQ(run_process("scancel --signal=USR1 --batch " + array + "_1").exit_code, 0);
  ASSERT_TRUE(wait_for({array, collect}, 300)) << all_logs(out, "long");
  EXPECT_EQ(job_state(collect), "COMPLETED") << all_logs(out, "long");

  const std::string requeued = testing::read_text(fs::path(out) / "long" / "slurm" / "logs" / ("long_" + array + "_0.out"));
  EXPECT_TRUE(contains(requeued, "DUE TO JOB REQUEUE")) << requeued;
  EXPECT_TRUE(contains(requeued, "stopped by TERM; the checkpoints stay")) << requeued;
  EXPECT_TRUE(contains(requeued, "restart 1")) << requeued;
  EXPECT_TRUE(contains(requeued, "resuming from")) << requeued;
  const std::string signalled = testing::read_text(fs::path(out) / "long" / "slurm" / "logs" / ("long_" + array + "_1.out"));
  EXPECT_TRUE(contains(signalled, "the time limit is near: requeueing job")) << signalled;
  EXPECT_TRUE(contains(signalled, "restart 1")) << signalled;
  EXPECT_TRUE(contains(signalled, "resuming from")) << signalled;
  expect_same_archives(work_ + "/local", out, "long", 2);
  for (const auto& entry : fs::directory_iterator(out + "/long")) {
    EXPECT_NE(entry.path().extension(), ".ckpt") << entry.path();
    EXPECT_NE(entry.path().extension(), ".lock") << entry.path();
  }
}

TEST_F(SlurmCluster, TwoTasksOnOneRunIdNeverRunItAtOnce) {
  const std::string spec = work_ + "/once.yaml";
  std::ofstream(spec) << fmt::format(
      "experiment: once\nseeds: [3]\ndataset: {{plugin: csv, path: {}, target: label}}\n"
      "model: {{plugin: ffn, hidden_widths: [64, 64]}}\n"
      "training: {{optimizer: adam, lr: 0.01, batch_size: 4, epochs: {}, threads: 1}}\n",
      write_csv(work_, 2000), kLongEpochs);
  ASSERT_EQ(run_structlab(fmt::format("run {} --out {}/local", spec, work_)).exit_code, 0);

  // the same run submitted twice (held, then released together, so that both tasks start at once)
  const std::string out = work_ + "/cluster";
  auto [first, first_collect] = submit(fmt::format("{} --out {} -- --hold", spec, out));
  auto [second, second_collect] = submit(fmt::format("{} --out {} -- --hold", spec, out));
  ASSERT_EQ(run_process(fmt::format("scontrol release {} {} {} {}", first, second, first_collect, second_collect))
                .exit_code,
            0);
  ASSERT_TRUE(wait_for({first, second, first_collect, second_collect})) << all_logs(out, "once");

  std::string both;
  for (const auto& [name, log] : logs(out, "once")) both += log;
  EXPECT_EQ(count_of(both, "structlab-slurm: run "), 2u) << both;
  EXPECT_EQ(count_of(both, "not run here: another process is running it"), 1u) << both;
  EXPECT_EQ(count_of(both, "  done in "), 1u) << both;
  expect_same_archives(work_ + "/local", out, "once", 1);
}

}  // namespace
}  // namespace structlab
