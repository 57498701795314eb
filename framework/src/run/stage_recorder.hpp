#pragma once
// StageRecorder: the hook that writes a run's history rows and stage records into its archive and reports
// progress.

#include <map>
#include <string>

#include "structlab/archive/run_archive.hpp"
#include "structlab/graph/metrics.hpp"
#include "structlab/run/progress.hpp"
#include "structlab/spec/experiment.hpp"
#include "structlab/train/engine.hpp"

namespace structlab::run::detail {

/// Records each epoch (history row, progress line) and each stage (the whole model, its structure and
/// metrics) of a run.
class StageRecorder : public train::TrainingHook {
 public:
  /// Records into \p writer for \p run, reporting to \p progress; \p planned_epochs is for the ETA.
  StageRecorder(const spec::RunSpec& run, archive::RunArchiveWriter& writer, ProgressSink& progress,
                std::int64_t planned_epochs);

  /// "recorder".
  std::string name() const override { return "recorder"; }
  /// Reports the stage's start.
  void stage_begin(train::TrainingEngine& engine) override;
  /// Appends the epoch's history row and reports it.
  void epoch_end(train::TrainingEngine& engine, const train::EpochResult& result) override;
  /// Archives the model as the stage's record.
  void stage_end(train::TrainingEngine& engine) override;
  /// Archives the model now as the snapshot `/snapshots/<stage>-<label>` (masks, weights, structure, metrics
  /// with the last test evaluation).
  void write_snapshot(train::TrainingEngine& engine, const std::string& label);
  /// Epoch counts for the ETA.
  void save_state(torch::serialize::OutputArchive& archive) const override;
  /// Restores save_state()'s counts.
  void load_state(torch::serialize::InputArchive& archive) override;

 private:
  ProgressUpdate progress_of(train::TrainingEngine& engine) const;

  const spec::RunSpec& run_;
  archive::RunArchiveWriter& writer_;
  ProgressSink& progress_;
  std::int64_t planned_epochs_;
  std::int64_t epochs_done_ = 0;
  double epoch_seconds_total_ = 0;
};

/// The stage record of \p model now: every masked layer (with its state names), every other parameter and
/// buffer, the regenerated structure and its metrics, and \p test's loss and accuracy among the metrics.
archive::StageRecord stage_record(nn::MaskedModel& model, std::int64_t index, const std::string& description,
                                  const train::Evaluation& test, graph::MetricsMode metrics_mode);

}  // namespace structlab::run::detail
