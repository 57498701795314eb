// `structlab run --run-id`, `structlab status` and `structlab slurm` without a cluster: run selection by id,
// run states from the output folder, the written sbatch scripts and pinned specs, and option errors.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/run_process.hpp"
#include "results_sweeps.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using testing::make_temp_dir;
using testing::run_process;
using testing::run_structlab;

using testing::contains;

// The run ids `structlab run --dry-run` lists, in run order.
std::vector<std::string> run_ids(const std::string& spec) {
  testing::ProcessResult listed = run_structlab("run " + spec + " --dry-run");
  std::vector<std::string> ids;
  std::istringstream lines(listed.out);
  std::string index, id;
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    if (words >> index >> id) ids.push_back(id);
  }
  return ids;
}

class SweepCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("sweep-cli");
    spec_ = dir_ + "/pruned.yaml";
    std::ofstream(spec_) << testing::pruned_sweep_spec(testing::write_classification_csv(dir_));
    out_ = dir_ + "/runs";
    ids_ = run_ids(spec_);
    ASSERT_EQ(ids_.size(), 4u);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string dir_, spec_, out_;
  std::vector<std::string> ids_;
};

TEST_F(SweepCli, RunIdRunsExactlyThatRun) {
  testing::ProcessResult result = run_structlab(fmt::format("run {} --out {} --run-id {}", spec_, out_, ids_[2]));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    EXPECT_EQ(fs::exists(out_ + "/pruned/" + ids_[i] + ".h5"), i == 2) << ids_[i];
  }
}

TEST_F(SweepCli, UnknownRunIdIsAnErrorThatSaysHowToListThem) {
  testing::ProcessResult result = run_structlab(fmt::format("run {} --out {} --run-id pruned-nope", spec_, out_));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.err, "--run-id pruned-nope: no run of experiment 'pruned' has this id")) << result.err;
  EXPECT_TRUE(contains(result.err, "--dry-run")) << result.err;
  EXPECT_TRUE(contains(result.err, ids_[0])) << result.err;
  EXPECT_FALSE(fs::exists(out_ + "/pruned"));
  testing::ProcessResult both =
      run_structlab(fmt::format("run {} --out {} --run-id {} --run-index 1", spec_, out_, ids_[0]));
  EXPECT_EQ(both.exit_code, 2) << both.err;
  EXPECT_TRUE(contains(both.err, "excludes")) << both.err;
}

TEST_F(SweepCli, StatusTellsEachRunsState) {
  testing::ProcessResult before = run_structlab(fmt::format("status {} --out {}", spec_, out_));
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_TRUE(contains(before.out, "4 runs: 0 completed, 0 running, 0 interrupted, 0 failed, 4 not started"))
      << before.out;

  ASSERT_EQ(run_structlab(fmt::format("run {} --out {} --run-id {}", spec_, out_, ids_[0])).exit_code, 0);
  const std::string folder = out_ + "/pruned/";
  std::ofstream(folder + ids_[1] + ".ckpt") << "a checkpoint";                 // interrupted
  std::ofstream(folder + ids_[2] + ".h5") << "garbage";                        // failed
  std::ofstream(folder + ids_[3] + ".lock") << "otherhost 4242 2026-01-01T00:00:00Z\n";  // running elsewhere
  fs::create_directories(folder + "slurm/logs");
  std::ofstream(folder + "slurm/logs/pruned_77_2.out") << "structlab-slurm: run " << ids_[2] << " task 77_2\n";

  testing::ProcessResult after = run_structlab(fmt::format("status {} --out {}", spec_, out_));
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_TRUE(contains(after.out, "4 runs: 1 completed, 1 running, 1 interrupted, 1 failed, 0 not started"))
      << after.out;
  EXPECT_TRUE(contains(after.out, "host otherhost, pid 4242")) << after.out;
  EXPECT_TRUE(contains(after.out, "log " + folder + "slurm/logs/pruned_77_2.out")) << after.out;

  testing::ProcessResult json = run_structlab(fmt::format("status {} --out {} --json", spec_, out_));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["experiment"], "pruned");
  EXPECT_EQ(parsed["counts"]["completed"], 1);
  EXPECT_EQ(parsed["counts"]["not started"], 0);
  ASSERT_EQ(parsed["runs"].size(), 4u);
  EXPECT_EQ(parsed["runs"][0]["run_id"], ids_[0]);
  EXPECT_EQ(parsed["runs"][0]["state"], "completed");
  EXPECT_EQ(parsed["runs"][1]["state"], "interrupted");
  EXPECT_EQ(parsed["runs"][2]["state"], "failed");
  EXPECT_EQ(parsed["runs"][2]["log"], folder + "slurm/logs/pruned_77_2.out");
  EXPECT_EQ(parsed["runs"][3]["state"], "running");
  EXPECT_TRUE(parsed["runs"][0]["log"].is_null());
}

TEST_F(SweepCli, SlurmDryRunWritesTheScriptAndPinnedSpecsOfTheRunsLeft) {
  ASSERT_EQ(run_structlab(fmt::format("run {} --out {} --run-id {}", spec_, out_, ids_[1])).exit_code, 0);
  testing::ProcessResult result = run_structlab(fmt::format(
      "slurm {} --out {} --dry-run --max-parallel 2 --time 30 --partition short --structlab {}", spec_, out_,
      STRUCTLAB_TEST_CLI));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.err, "3 of 4 runs to submit (1 complete) in 3 array tasks")) << result.err;
  EXPECT_TRUE(contains(result.err, "nothing submitted")) << result.err;
  const fs::path slurm_dir = out_ + "/pruned/slurm";
  fs::path script;
  int scripts = 0;
  for (const auto& entry : fs::directory_iterator(slurm_dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".sbatch" && !contains(name, "-collect")) {
      script = entry.path();
      ++scripts;
    }
  }
  ASSERT_EQ(scripts, 1);
  const std::string text = testing::read_text(script);
  EXPECT_TRUE(contains(result.out, text)) << "the script is printed";
  EXPECT_TRUE(contains(text, "#SBATCH --array=0-2%2\n")) << text;
  EXPECT_TRUE(contains(text, "#SBATCH --time=30\n")) << text;
  EXPECT_TRUE(contains(text, "#SBATCH --partition=short\n")) << text;
  EXPECT_TRUE(contains(text, "#SBATCH --cpus-per-task=1\n")) << "the spec's training.threads: 1\n" << text;
  EXPECT_TRUE(contains(text, std::string("structlab=") + STRUCTLAB_TEST_CLI)) << text;
  EXPECT_FALSE(contains(text, "  " + ids_[1] + "\n")) << "a completed run is left out\n" << text;
  for (int i : {0, 2, 3}) {
    EXPECT_TRUE(contains(text, "  " + ids_[i] + "\n")) << ids_[i] << "\n" << text;
    EXPECT_TRUE(fs::exists(slurm_dir / "specs" / (ids_[i] + ".yaml"))) << ids_[i];
  }
  EXPECT_FALSE(fs::exists(slurm_dir / "specs" / (ids_[1] + ".yaml")));

  // the pinned one-run spec is the same run: its archive counts as the sweep's run
  const std::string pinned = (slurm_dir / "specs" / (ids_[3] + ".yaml")).string();
  testing::ProcessResult pinned_run =
      run_structlab(fmt::format("run {} --out {} --run-id {}", pinned, out_, ids_[3]));
  ASSERT_EQ(pinned_run.exit_code, 0) << pinned_run.err;
  testing::ProcessResult status = run_structlab(fmt::format("status {} --out {}", spec_, out_));
  EXPECT_TRUE(contains(status.out, "4 runs: 2 completed")) << status.out;
}

TEST_F(SweepCli, SlurmValidatesBeforeWritingOrSubmitting) {
  std::ofstream(dir_ + "/bad.yaml") << "experiment: bad\nseeds: [1]\nmodel: {plugin: no_such_model}\n";
  testing::ProcessResult bad_spec = run_structlab(fmt::format("slurm {}/bad.yaml --out {}", dir_, out_));
  EXPECT_EQ(bad_spec.exit_code, 1);
  EXPECT_TRUE(contains(bad_spec.err, "error:")) << bad_spec.err;
  EXPECT_FALSE(fs::exists(out_)) << "an invalid spec writes nothing";

  struct Case {
    const char* option;
    const char* message;
  };
  for (const Case& c : {Case{"--time 3h", "--time '3h': expected a Slurm time limit"},
                        Case{"--mem lots", "--mem 'lots': expected a positive whole number"},
                        Case{"--array-chunk 0", "--array-chunk 0: expected a whole number of at least 1"},
                        Case{"--gpus none", "--gpus 'none': expected a GPU count"},
                        Case{"--checkpoint-every soon", "--checkpoint-every: 'soon' is not a duration"},
                        Case{"--time 2 --signal-before 300", "--time 2 is 120 s, not more than --signal-before"}}) {
    testing::ProcessResult result = run_structlab(fmt::format("slurm {} --out {} --dry-run {}", spec_, out_, c.option));
    EXPECT_EQ(result.exit_code, 1) << c.option;
    EXPECT_TRUE(contains(result.err, c.message)) << c.option << "\n" << result.err;
  }
  testing::ProcessResult not_a_number = run_structlab(fmt::format("slurm {} --max-parallel many", spec_));
  EXPECT_EQ(not_a_number.exit_code, 2);
  EXPECT_TRUE(contains(not_a_number.err, "--max-parallel")) << not_a_number.err;
  EXPECT_FALSE(fs::exists(out_));
}

TEST_F(SweepCli, SlurmWithoutSbatchSaysSoAndNothingLeftSubmitsNothing) {
  testing::ProcessResult no_sbatch = run_process(
      fmt::format("PATH=/nonexistent {} slurm {} --out {}", STRUCTLAB_TEST_CLI, spec_, out_));
  EXPECT_EQ(no_sbatch.exit_code, 1);
  EXPECT_TRUE(contains(no_sbatch.err, "sbatch not found on PATH")) << no_sbatch.err;
  EXPECT_TRUE(contains(no_sbatch.err, "--dry-run")) << no_sbatch.err;
  EXPECT_FALSE(fs::exists(out_ + "/pruned/slurm"));

  ASSERT_EQ(run_structlab(fmt::format("run {} --out {}", spec_, out_)).exit_code, 0);
  testing::ProcessResult done = run_process(
      fmt::format("PATH=/nonexistent {} slurm {} --out {}", STRUCTLAB_TEST_CLI, spec_, out_));
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_TRUE(contains(done.out, "all 4 runs are complete")) << done.out;
  EXPECT_TRUE(contains(done.out, "nothing to submit")) << done.out;
  EXPECT_FALSE(fs::exists(out_ + "/pruned/slurm"));
}

}  // namespace
}  // namespace structlab
