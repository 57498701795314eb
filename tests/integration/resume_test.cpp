// Stopping and resuming runs: a run stopped anywhere and resumed from its checkpoint ends bit-identical to
// one that never stopped (weights, masks, other parameters, metrics, history).

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "structlab/archive/checkpoint.hpp"
#include "structlab/archive/run_archive.hpp"
#include "structlab/run/execute_run.hpp"
#include "structlab/run/run_lock.hpp"
#include "structlab/run/runner.hpp"
#include "structlab/spec/loader.hpp"
#include "structlab/train/engine.hpp"
#include "support/archive_compare.hpp"
#include "support/run_process.hpp"
#include "integration/engine_runs.hpp"
#include "archive/hdf5_io.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using namespace engine_runs;
using testing::first_difference;
using testing::make_temp_dir;

TEST(Resume, StoppedMidEpochDuringTraining) {
  expect_resume_identical("resume-mid-epoch", ffn_spec(kAdam, kIterative),
                          {StopAt(StopPoint::after_step, 0, 1, 4)});
}

TEST(Resume, StoppedRightAfterAPruningStep) {
  expect_resume_identical("resume-pruning", ffn_spec(kAdam, kIterative), {StopAt(StopPoint::stage_begin, 2)});
}

TEST(Resume, StoppedBetweenStages) {
  expect_resume_identical("resume-between", ffn_spec(kSgd, kIterative), {StopAt(StopPoint::stage_end, 1)});
}

TEST(Resume, StoppedDuringAGradualSchedule) {
  expect_resume_identical("resume-gradual", ffn_spec(kSgd, kGradual),
                          {StopAt(StopPoint::after_step, 1, 0, 7)});
}

TEST(Resume, StoppedThreeTimesInOneRun) {
  expect_resume_identical("resume-three", ffn_spec(kAdam, kOneShot),
                          {StopAt(StopPoint::after_step, 0, 0, 2), StopAt(StopPoint::stage_begin, 1),
                           StopAt(StopPoint::after_step, 1, 1, 10)});
}

TEST(Resume, DanWithLayerNormStoppedMidEpoch) {
  const std::string text = std::string("experiment: resume-dan\nseeds: [2]\n") + kRegressionData +
                           "structure: {plugin: newman_watts_strogatz, n: 24, k: 4, p: 0.5, orient: random}\n"
                           "model: {plugin: dan, layer_norm: true}\n" +
                           kAdam + kIterative;
  expect_resume_identical("resume-dan", text, {StopAt(StopPoint::after_step, 1, 0, 3)});
}

TEST(Resume, CnnStoppedAfterAKernelPruningStep) {
  const std::string text = std::string("experiment: resume-cnn\nseeds: [4]\n") +
                           "dataset: {plugin: idx, limit_train: 192, limit_test: 64}\n"
                           "model: {plugin: cnn, channels: [3, 4], hidden_widths: [8]}\n" +
                           kAdam +
                           R"(pruning:
  plugin: magnitude_global
  selection: {rule: fraction, amount: 0.3, granularity: kernel}
  schedule: {kind: iterative, levels: 2, rewind: epoch, rewind_epoch: 1, retrain_epochs: 2}
)";
  expect_resume_identical("resume-cnn", text,
                          {StopAt(StopPoint::stage_begin, 1), StopAt(StopPoint::after_step, 2, 1, 2)});
}

TEST(Resume, LstmStoppedMidEpochAfterPruning) {
  // per-gate views of the recurrent weights, recurrent (source = target) layers
  const std::string text =
      std::string("experiment: resume-lstm\nseeds: [6]\n") +
      "dataset: {plugin: sequence, task: sum, steps: 6, train_size: 192, test_size: 64}\n"
      "model: {plugin: rnn, cell: lstm, hidden_widths: [8, 6]}\n" +
      kAdam + kIterative;
  expect_resume_identical("resume-lstm", text, {StopAt(StopPoint::after_step, 1, 1, 3)});
}

// A hook that waits once, so a one-second checkpoint interval passes, and keeps a copy of the checkpoint the
// engine then writes: what a SIGKILL would have left behind.
class KeepPeriodicCheckpoint : public train::TrainingHook {
 public:
  explicit KeepPeriodicCheckpoint(fs::path checkpoint) : checkpoint_(std::move(checkpoint)) {}
  std::string name() const override { return "test-keep"; }
  void after_step(train::TrainingEngine& engine) override {
    const auto& at = engine.position();
    if (at.stage == 1 && at.epoch == 0 && at.step == 2)
      std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    if (at.stage == 1 && at.epoch == 0 && at.step == 6 && fs::exists(checkpoint_)) {
      fs::copy_file(checkpoint_, fs::path(checkpoint_.string() + ".kept"));
    }
  }

 private:
  fs::path checkpoint_;
};

TEST(Resume, PeriodicCheckpointSurvivesAKill) {
  Runs runs("resume-periodic", ffn_spec(kSgd, kOneShot));
  const archive::ArchiveSummary expected = runs.reference();
  const fs::path checkpoint = archive::checkpoint_path_of(runs.archive);
  KeepPeriodicCheckpoint keep(checkpoint);
  const auto outcome = runs.execute(runs.archive, {&keep}, std::chrono::seconds(1));
  ASSERT_EQ(outcome.status, "completed") << outcome.message;
  ASSERT_TRUE(fs::exists(checkpoint.string() + ".kept")) << "no periodic checkpoint was written";
  EXPECT_FALSE(fs::exists(checkpoint));
  EXPECT_EQ(archive::read_checkpoint(checkpoint.string() + ".kept").info.reason, "periodic");
  EXPECT_EQ(archive::read_archive(checkpoint.string() + ".kept").attributes.at("status"), "running");

  // as after a SIGKILL: no final archive, only the periodic checkpoint
  fs::remove(runs.archive);
  fs::rename(checkpoint.string() + ".kept", checkpoint);
  const auto resumed = runs.execute(runs.archive);
  ASSERT_EQ(resumed.status, "completed") << resumed.message;
  EXPECT_EQ(first_difference(expected, archive::read_archive(runs.archive)), "");
}

TEST(Resume, CheckpointOfAnotherSpecIsRefusedAndKept) {
  Runs first("resume-other-a", ffn_spec(kSgd, kOneShot));
  StopAt stop(StopPoint::stage_begin, 1);
  ASSERT_EQ(first.execute(first.archive, {&stop}).status, "interrupted");
  Runs second("resume-other-b", ffn_spec(kAdam, kOneShot));
  const fs::path foreign = archive::checkpoint_path_of(second.archive);
  fs::create_directories(foreign.parent_path());
  fs::copy_file(archive::checkpoint_path_of(first.archive), foreign);

  const auto outcome = second.execute(second.archive);
  EXPECT_EQ(outcome.status, "failed");
  EXPECT_NE(outcome.message.find("was written for spec hash " + first.run.spec_hash), std::string::npos)
      << outcome.message;
  EXPECT_NE(outcome.message.find("--force"), std::string::npos) << outcome.message;
  EXPECT_TRUE(fs::exists(foreign)) << "a refused checkpoint is left in place";
}

TEST(Resume, CheckpointOfAnotherLibTorchIsRefusedAndKept) {
  Runs runs("resume-other-torch", ffn_spec(kSgd, kOneShot));
  StopAt stop(StopPoint::stage_begin, 1);
  ASSERT_EQ(runs.execute(runs.archive, {&stop}).status, "interrupted");
  const fs::path checkpoint = archive::checkpoint_path_of(runs.archive);
  {
    archive::detail::Hdf5Handle file = archive::detail::checked(
        H5Fopen(checkpoint.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose, "opening the checkpoint");
    archive::detail::Hdf5Handle group = archive::detail::open_group(file.get(), "checkpoint");
    archive::detail::write_string_attribute(group.get(), "torch_version", "0.0.1");
  }
  const auto outcome = runs.execute(runs.archive);
  EXPECT_EQ(outcome.status, "failed");
  EXPECT_NE(outcome.message.find("was written with LibTorch 0.0.1; this structlab runs LibTorch"), std::string::npos)
      << outcome.message;
  EXPECT_NE(outcome.message.find("--force"), std::string::npos) << outcome.message;
  EXPECT_TRUE(fs::exists(checkpoint)) << "a refused checkpoint is left in place";
}

TEST(Resume, ForceStartsOverAndDeletesTheCheckpoint) {
  Runs runs("resume-force", ffn_spec(kSgd, kOneShot));
  StopAt stop(StopPoint::stage_begin, 1);
  ASSERT_EQ(runs.execute(runs.archive, {&stop}).status, "interrupted");
  SilentProgress progress;
  run::RunEnvironment environment;
  environment.archive_path = runs.archive;
  environment.restart = true;
  EXPECT_EQ(run::execute_run(runs.run, environment, progress).status, "completed");
  EXPECT_FALSE(fs::exists(archive::checkpoint_path_of(runs.archive)));
}

// Rewrites the run's lock file as another host's when stage \p stage ends: what this process finds when it
// was frozen longer than the stale age and another process took the run over. With \p then_stop it also
// asks for a stop, so the engine goes for a checkpoint next.
class TakeOverLockAt : public train::TrainingHook {
 public:
  TakeOverLockAt(fs::path lock, std::int64_t stage, bool then_stop)
      : lock_(std::move(lock)), stage_(stage), then_stop_(then_stop) {}
  std::string name() const override { return "test-takeover"; }
  void stage_end(train::TrainingEngine& engine) override {
    if (engine.position().stage != stage_) return;
    const fs::path fresh = lock_.string() + ".other";
    std::ofstream(fresh) << kOtherHolder;
    fs::rename(fresh, lock_);
    if (then_stop_) engine.request_stop();
  }
  static constexpr const char* kOtherHolder = "other-host 4242 2026-11-30T00:00:00Z\n";

 private:
  fs::path lock_;
  std::int64_t stage_;
  bool then_stop_;
};

// Runs \p runs holding its lock, with the lock taken over at the end of stage 0.
run::RunOutcome execute_losing_the_lock(const Runs& runs, bool then_stop) {
  fs::create_directories(runs.archive.parent_path());
  run::LockHolder holder;
  std::unique_ptr<run::RunLock> lock = run::RunLock::acquire(run::lock_path_of(runs.archive), holder);
  EXPECT_TRUE(lock) << holder.describe();
  if (!lock) return {};
  TakeOverLockAt takeover(lock->path(), 0, then_stop);
  SilentProgress progress;
  run::RunEnvironment environment;
  environment.archive_path = runs.archive;
  environment.extra_hooks = {&takeover};
  environment.checkpoint_every = std::chrono::seconds(0);
  environment.run_lock = lock.get();
  return run::execute_run(runs.run, environment, progress);
}

std::string file_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(RunLockLost, ARunTakenOverEndsLockedAndLeavesTheRunsFilesToTheNewHolder) {
  Runs runs("lock-lost", ffn_spec(kSgd, kOneShot));
  const auto outcome = execute_losing_the_lock(runs, false);
  EXPECT_EQ(outcome.status, "locked");
  EXPECT_NE(outcome.message.find("lost its run lock"), std::string::npos) << outcome.message;
  EXPECT_NE(outcome.message.find("host other-host, pid 4242"), std::string::npos) << outcome.message;
  EXPECT_FALSE(fs::exists(runs.archive)) << "the temporary archive is not renamed to the final name";
  fs::path partial = runs.archive;
  partial += ".partial";
  EXPECT_TRUE(fs::exists(partial)) << "the temporary archive is left to the new holder, not deleted";
  EXPECT_EQ(file_text(run::lock_path_of(runs.archive)), TakeOverLockAt::kOtherHolder)
      << "the new holder's lock is neither removed nor touched";
}

TEST(RunLockLost, AStopAfterATakeoverWritesNoCheckpoint) {
  Runs runs("lock-lost-stop", ffn_spec(kSgd, kOneShot));
  const auto outcome = execute_losing_the_lock(runs, true);
  EXPECT_EQ(outcome.status, "locked") << outcome.message;
  EXPECT_FALSE(fs::exists(archive::checkpoint_path_of(runs.archive)));
  EXPECT_FALSE(fs::exists(runs.archive));
  EXPECT_EQ(file_text(run::lock_path_of(runs.archive)), TakeOverLockAt::kOtherHolder);
}

}  // namespace
}  // namespace structlab
