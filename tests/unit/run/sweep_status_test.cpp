#include "structlab/run/sweep_status.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "support/run_process.hpp"

namespace structlab::run {
namespace {
namespace fs = std::filesystem;

// A plan of \p count runs by hand: sweep_status() reads only ids, hashes and the files under the folder.
spec::ExperimentPlan plan_of(int count) {
  spec::ExperimentPlan plan;
  plan.experiment = "sweep";
  for (int i = 0; i < count; ++i) {
    spec::RunSpec run;
    run.experiment = "sweep";
    run.index = i;
    run.spec_hash = "00000000000000" + std::to_string(10 + i);
    run.run_id = "sweep-" + run.spec_hash.substr(0, 10) + std::to_string(i);
    plan.runs.push_back(run);
  }
  return plan;
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A pid that no process has: a child that has exited and been reaped.
long dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

std::string host() {
  char name[256] = {0};
  ::gethostname(name, sizeof(name) - 1);
  return name;
}

TEST(SweepStatus, ClassifiesEachRunFromItsFiles) {
  const fs::path out = testing::make_temp_dir("sweep-status");
  const spec::ExperimentPlan plan = plan_of(6);
  const fs::path dir = out / "sweep";
  auto file = [&](int run, const std::string& suffix) { return dir / (plan.runs[run].run_id + suffix); };
  // 0: nothing at all
  // 1: held by a live process (this test's parent shell is alive: pid 1 always is)
  write(file(1, ".lock"), host() + " 1 2026-01-01T00:00:00Z\n");
  // 2: a checkpoint, and the lock of a process that is gone
  write(file(2, ".ckpt"), "checkpoint");
  write(file(2, ".lock"), host() + " " + std::to_string(dead_pid()) + " 2026-01-01T00:00:00Z\n");
  // 3: an archive that is not a structlab archive
  write(file(3, ".h5"), "not hdf5");
  // 4: a partial archive without checkpoint
  write(file(4, ".h5.partial"), "partial");
  // 5: a lock from another host with a fresh heartbeat
  write(file(5, ".lock"), "elsewhere 12345 2026-01-01T00:00:00Z\n");

  const std::vector<RunStatus> statuses = sweep_status(plan, out);
  ASSERT_EQ(statuses.size(), 6u);
  EXPECT_EQ(statuses[0].state, RunState::not_started);
  EXPECT_EQ(statuses[0].detail, "");
  EXPECT_EQ(statuses[0].archive, dir / (plan.runs[0].run_id + ".h5"));
  EXPECT_EQ(statuses[1].state, RunState::running);
  EXPECT_NE(statuses[1].detail.find("pid 1,"), std::string::npos) << statuses[1].detail;
  EXPECT_EQ(statuses[2].state, RunState::interrupted);
  EXPECT_NE(statuses[2].detail.find(".ckpt"), std::string::npos) << statuses[2].detail;
  EXPECT_EQ(statuses[3].state, RunState::failed);
  EXPECT_NE(statuses[3].detail.find("not a readable structlab archive"), std::string::npos) << statuses[3].detail;
  EXPECT_EQ(statuses[4].state, RunState::not_started);
  EXPECT_NE(statuses[4].detail.find("starts over"), std::string::npos) << statuses[4].detail;
  EXPECT_EQ(statuses[5].state, RunState::running);
  EXPECT_NE(statuses[5].detail.find("host elsewhere, pid 12345"), std::string::npos) << statuses[5].detail;

  const auto counts = count_states(statuses);
  EXPECT_EQ(counts.at(RunState::completed), 0u);
  EXPECT_EQ(counts.at(RunState::running), 2u);
  EXPECT_EQ(counts.at(RunState::interrupted), 1u);
  EXPECT_EQ(counts.at(RunState::failed), 1u);
  EXPECT_EQ(counts.at(RunState::not_started), 2u);
  fs::remove_all(out);
}

TEST(SweepStatus, FindsTheNewestSlurmLogThatRanARun) {
  const fs::path out = testing::make_temp_dir("sweep-logs");
  const spec::ExperimentPlan plan = plan_of(2);
  const fs::path logs = slurm_folder_of(out, "sweep") / "logs";
  write(out / "sweep" / (plan.runs[0].run_id + ".h5"), "broken");
  write(logs / "sweep_7_0.out", slurm_log_marker(plan.runs[0].run_id) + " task 7_0 ...\nerror: boom\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  write(logs / "sweep_9_0.out", "noise\n" + slurm_log_marker(plan.runs[0].run_id) + " task 9_0 ...\n");
  fs::last_write_time(logs / "sweep_9_0.out", fs::last_write_time(logs / "sweep_7_0.out") + std::chrono::seconds(5));
  const std::vector<RunStatus> statuses = sweep_status(plan, out);
  EXPECT_EQ(statuses[0].state, RunState::failed);
  EXPECT_EQ(statuses[0].log, logs / "sweep_9_0.out");
  EXPECT_TRUE(statuses[1].log.empty());
  EXPECT_STREQ(to_string(RunState::not_started), "not started");
  fs::remove_all(out);
}

}  // namespace
}  // namespace structlab::run
