#pragma once
// Schedules: the stages of a run (stage 0 = training, then one per pruning step) and what happens at their
// start, as hooks driven by the training engine.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "structlab/plugin/grower.hpp"
#include "structlab/plugin/pruner.hpp"
#include "structlab/spec/experiment.hpp"
#include "structlab/train/engine.hpp"

namespace structlab::run::detail {

/// The pruning schedules a spec can name (`pruning.schedule.kind`).
enum class ScheduleKind { one_shot, iterative, gradual, dynamic, at_init };

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
  /// Archives the model now under a label (`/snapshots/<stage>-<label>`).
  using SnapshotWriter = std::function<void(train::TrainingEngine& engine, const std::string& label)>;

  /// "schedule": the key of its state in checkpoints.
  std::string name() const override { return "schedule"; }
  /// Every stage of the run in order.
  virtual std::vector<train::StagePlan> stages() const = 0;
  /// Where a schedule that watches its structure change (dynamic) archives snapshots; others ignore it.
  void set_snapshot_writer(SnapshotWriter writer) { snapshot_writer_ = std::move(writer); }

 protected:
  SnapshotWriter snapshot_writer_;
};

/// Gives pruning strategies access to the run's training batches.
class EnginePruningContext : public plugin::PruningContext {
 public:
  /// Batches of \p trainer; \p seed for the strategy's randomness.
  EnginePruningContext(train::Trainer& trainer, std::uint64_t seed) : trainer_(trainer), seed_(seed) {}
  /// The seed given.
  std::uint64_t seed() const override { return seed_; }
  /// The training batches of one epoch.
  std::int64_t num_batches() const override { return trainer_.steps_per_epoch(); }
  /// The loss on training batch \p index.
  torch::Tensor loss(nn::MaskedModel& model, std::int64_t index) override;
  /// The dataset's sample shape.
  std::vector<std::int64_t> input_shape() const override { return trainer_.input_shape(); }

 private:
  train::Trainer& trainer_;
  std::uint64_t seed_;
};

/// Dynamic sparse training (SET, RigL): the network starts at `pruning.schedule.density`, spread over its layers
/// by `distribution`; every `update_every` steps until `end_fraction` of training, a cosine-decaying fraction of
/// each layer's active weights is dropped by \p drop's scores (lowest first) and as many inactive positions are
/// grown by \p grow's (highest first), at weight zero with fresh optimizer state, so each layer's active count
/// never changes. Snapshots every `snapshot_every` epochs.
std::unique_ptr<Schedule> make_dynamic_schedule(const spec::RunSpec& run, std::shared_ptr<plugin::PruningStrategy> drop,
                                                std::shared_ptr<plugin::GrowthCriterion> grow,
                                                std::int64_t steps_per_epoch);

/// Pruning at initialisation (SNIP, GraSP, SynFlow): before the first step, \p pruner prunes the freshly
/// initialised network to `pruning.schedule.density` in pruner->rounds_at_init() rounds (exponential densities,
/// prune::exponential_densities), re-scoring the masked network each round; then one stage of
/// `training.epochs` epochs trains it with the masks fixed. Throws ConfigError for a strategy that prunes by its
/// own threshold, PluginError for one asking for fewer than one round.
std::unique_ptr<Schedule> make_at_init_schedule(const spec::RunSpec& run,
                                                std::shared_ptr<plugin::PruningStrategy> pruner);

/// The parameters (model.parameters() order, on the run's device) of the run's model built again with its
/// weights initialised from a given seed: what the lottery-ticket `reinit` control trains from.
using FreshInitialisation = std::function<std::vector<torch::Tensor>(std::uint64_t init_seed)>;

/// The schedule \p run asks for: training only, one_shot, iterative, gradual, dynamic or at_init. \p model is
/// the freshly initialised model (its weights are the rewind point of `rewind: init`); \p steps_per_epoch sizes
/// gradual schedules; \p fresh_initialisation serves `pruning.controls: [reinit]` (may be empty without it).
std::unique_ptr<Schedule> make_schedule(const spec::RunSpec& run, nn::MaskedModel& model,
                                        std::shared_ptr<plugin::PruningStrategy> pruner,
                                        std::shared_ptr<plugin::GrowthCriterion> grower,
                                        std::int64_t steps_per_epoch,
                                        FreshInitialisation fresh_initialisation = {});

}  // namespace structlab::run::detail
