#pragma once
// Schedules: the stages of a run (stage 0 = training, then one per pruning step) and what happens at their
// start, as hooks driven by the training engine.

#include <memory>
#include <vector>

#include "structlab/plugin/pruner.hpp"
#include "structlab/spec/experiment.hpp"
#include "structlab/train/engine.hpp"

namespace structlab::run::detail {

/// The pruning schedules a spec can name (`pruning.schedule.kind`).
enum class ScheduleKind { one_shot, iterative, gradual };

/// Where iterative pruning rewinds the surviving weights (`pruning.schedule.rewind`).
enum class RewindPoint { none, init, epoch };

/// `pruning.schedule.kind` as an enum; ConfigError naming the key for another value (validation refuses it first).
ScheduleKind schedule_kind(const std::string& kind);

/// `pruning.schedule.rewind` as an enum; ConfigError naming the key for another value.
RewindPoint rewind_point(const std::string& rewind);

/// The epochs of every stage of \p stages together (for progress and ETA).
std::int64_t total_epochs(const std::vector<train::StagePlan>& stages);

/// A run's schedule: the stage plan, and a hook that prunes, rewinds and resets the optimizer where its
/// stages begin (or between steps, for gradual pruning).
class Schedule : public train::TrainingHook {
 public:
  /// "schedule": the key of its state in checkpoints.
  std::string name() const override { return "schedule"; }
  /// Every stage of the run in order.
  virtual std::vector<train::StagePlan> stages() const = 0;
};

/// The schedule \p run asks for: training only, one_shot, iterative or gradual. \p model is the freshly initialised model (its weights are the
/// rewind point of `rewind: init`); \p steps_per_epoch sizes gradual schedules.
std::unique_ptr<Schedule> make_schedule(const spec::RunSpec& run, nn::MaskedModel& model,
                                        std::shared_ptr<plugin::PruningStrategy> pruner,
                                        std::int64_t steps_per_epoch);

}  // namespace structlab::run::detail
