#pragma once
// Runs of tiny specs executed in this process (run::execute_run) with test hooks: stopping at chosen points,
// resuming, comparing archives. Shared by the resume and dynamic-sparse-training tests.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "structlab/archive/checkpoint.hpp"
#include "structlab/archive/run_archive.hpp"
#include "structlab/run/execute_run.hpp"
#include "structlab/run/runner.hpp"
#include "structlab/spec/loader.hpp"
#include "structlab/train/engine.hpp"
#include "support/archive_compare.hpp"
#include "support/run_process.hpp"

namespace structlab::engine_runs {

namespace fs = std::filesystem;
using testing::first_difference;
using testing::make_temp_dir;

class SilentProgress : public run::ProgressSink {
 public:
  void update(const run::ProgressUpdate& /*update*/) override {}
  void finished(const run::RunOutcome& /*outcome*/) override {}
};

// Where a StopAt hook asks the engine to stop.
enum class StopPoint { after_step, stage_begin, stage_end };

// Requests a stop at one point of the run, once.
class StopAt : public train::TrainingHook {
 public:
  StopAt(StopPoint point, std::int64_t stage, std::int64_t epoch = 0, std::int64_t step = 0)
      : point_(point), stage_(stage), epoch_(epoch), step_(step) {}
  std::string name() const override { return "test-stop"; }
  void stage_begin(train::TrainingEngine& engine) override {
    if (point_ == StopPoint::stage_begin && engine.position().stage == stage_) engine.request_stop();
  }
  void after_step(train::TrainingEngine& engine) override {
    const auto& at = engine.position();
    if (point_ == StopPoint::after_step && at.stage == stage_ && at.epoch == epoch_ && at.step == step_) {
      engine.request_stop();
    }
  }
  void stage_end(train::TrainingEngine& engine) override {
    if (point_ == StopPoint::stage_end && engine.position().stage == stage_) engine.request_stop();
  }

 private:
  StopPoint point_;
  std::int64_t stage_, epoch_, step_;
};

inline const char* kRegressionData = R"(dataset: {plugin: function, train_size: 384, test_size: 96, noise: 0.1}
)";

inline std::string ffn_spec(const std::string& training, const std::string& pruning) {
  return std::string("experiment: resume\nseeds: [5]\n") + kRegressionData +
         "model: {plugin: ffn, hidden_widths: [16, 8]}\n" + training + pruning;
}

inline const char* kAdam = "training: {optimizer: adam, lr: 0.01, batch_size: 32, epochs: 2, threads: 1}\n";
inline const char* kSgd =
    "training: {optimizer: sgd, lr: 0.01, momentum: 0.9, batch_size: 32, epochs: 2, threads: 1}\n";
inline const char* kIterative = R"(pruning:
  plugin: magnitude_global
  selection: {rule: fraction, amount: 0.3}
  schedule: {kind: iterative, levels: 2, rewind: epoch, rewind_epoch: 1, retrain_epochs: 2}
)";
inline const char* kGradual = R"(pruning:
  plugin: magnitude_global
  schedule: {kind: gradual, final_sparsity: 0.8, start_epoch: 0, end_epoch: 1, frequency: 2, finetune_epochs: 1}
)";
inline const char* kOneShot = R"(pruning:
  plugin: magnitude_layerwise
  selection: {rule: fraction, amount: 0.5}
  schedule: {kind: one_shot, finetune_epochs: 2}
)";

struct Runs {
  std::string dir;
  spec::RunSpec run;
  fs::path archive;

  Runs(const std::string& tag, const std::string& text) : dir(make_temp_dir(tag)) {
    std::ofstream(dir + "/spec.yaml") << text;
    run = spec::plan_experiment(dir + "/spec.yaml", {}, {}).runs.at(0);
    archive = run::archive_path_of(dir + "/out", run);
  }

  run::RunOutcome execute(const fs::path& archive_path, std::vector<train::TrainingHook*> hooks = {},
                          std::chrono::seconds checkpoint_every = std::chrono::seconds(0)) const {
    SilentProgress progress;
    run::RunEnvironment environment;
    environment.archive_path = archive_path;
    environment.extra_hooks = std::move(hooks);
    environment.checkpoint_every = checkpoint_every;
    return run::execute_run(run, environment, progress);
  }

  // The archive of the run without interruption, written under reference/.
  archive::ArchiveSummary reference() const {
    const fs::path path = fs::path(dir) / "reference" / archive.filename();
    const auto outcome = execute(path);
    EXPECT_EQ(outcome.status, "completed") << outcome.message;
    return archive::read_archive(path);
  }
};

// Runs the spec once without stopping, then once per stop point (each resuming the previous checkpoint),
// and expects the final archive to equal the reference.
inline void expect_resume_identical(const std::string& tag, const std::string& text, std::vector<StopAt> stops) {
  Runs runs(tag, text);
  const archive::ArchiveSummary expected = runs.reference();
  const fs::path checkpoint = archive::checkpoint_path_of(runs.archive);
  for (StopAt& stop : stops) {
    const auto outcome = runs.execute(runs.archive, {&stop});
    ASSERT_EQ(outcome.status, "interrupted") << outcome.message;
    EXPECT_TRUE(fs::exists(checkpoint));
    EXPECT_FALSE(fs::exists(runs.archive)) << "an interrupted run leaves nothing under the final name";
    const archive::Checkpoint saved = archive::read_checkpoint(checkpoint);
    EXPECT_EQ(saved.info.reason, "interrupted");
    EXPECT_EQ(saved.info.spec_hash, runs.run.spec_hash);
  }
  const auto outcome = runs.execute(runs.archive);
  ASSERT_EQ(outcome.status, "completed") << outcome.message;
  EXPECT_FALSE(fs::exists(checkpoint)) << "the checkpoint is removed once the archive is complete";
  EXPECT_EQ(first_difference(expected, archive::read_archive(runs.archive)), "");
}

}  // namespace structlab::engine_runs
