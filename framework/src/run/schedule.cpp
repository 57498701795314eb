// The schedules of a run: training only, one_shot, iterative (lottery-ticket rewinding), gradual (AGP).

#include "run/schedule.hpp"

#include <fmt/format.h>

#include "structlab/error.hpp"
#include "structlab/prune/agp.hpp"
#include "structlab/prune/selection.hpp"
#include "structlab/random.hpp"

namespace structlab::run::detail {

torch::Tensor EnginePruningContext::loss(nn::MaskedModel& /*model*/, std::int64_t index) {
  return trainer_.batch_loss(index);
}

namespace {

/// Saved parameter values, for rewinding.
using WeightSnapshot = std::vector<torch::Tensor>;

WeightSnapshot snapshot_weights(nn::MaskedModel& model) {
  WeightSnapshot snapshot;
  for (const auto& parameter : model.parameters()) snapshot.push_back(parameter.detach().clone());
  return snapshot;
}

void restore_weights(nn::MaskedModel& model, const WeightSnapshot& snapshot) {
  torch::NoGradGuard no_grad;
  auto parameters = model.parameters();
  if (parameters.size() != snapshot.size()) {
    throw ModelError(fmt::format("cannot rewind: the model has {} parameters, the snapshot {}",
                                 parameters.size(), snapshot.size()));
  }
  for (std::size_t i = 0; i < parameters.size(); ++i) parameters[i].copy_(snapshot[i]);
}

void save_snapshot(torch::serialize::OutputArchive& archive, const std::string& key,
                   const WeightSnapshot& snapshot) {
  archive.write(key + ".count", c10::IValue(static_cast<std::int64_t>(snapshot.size())));
  if (snapshot.empty()) return;
  torch::serialize::OutputArchive tensors;
  for (std::size_t i = 0; i < snapshot.size(); ++i) tensors.write(std::to_string(i), snapshot[i]);
  archive.write(key, tensors);
}

WeightSnapshot load_snapshot(torch::serialize::InputArchive& archive, const std::string& key) {
  c10::IValue count;
  archive.read(key + ".count", count);
  WeightSnapshot snapshot(static_cast<std::size_t>(count.toInt()));
  if (snapshot.empty()) return snapshot;
  torch::serialize::InputArchive tensors;
  archive.read(key, tensors);
  for (std::size_t i = 0; i < snapshot.size(); ++i) tensors.read(std::to_string(i), snapshot[i]);
  return snapshot;
}

prune::GradualOptions gradual_options(const spec::PruningSchedule& schedule) {
  return {schedule.initial_sparsity, schedule.final_sparsity, schedule.start_epoch, schedule.end_epoch,
          schedule.frequency};
}

/// Stage 0 (training) and what every pruning schedule shares.
class TrainingSchedule : public Schedule {
 public:
  TrainingSchedule(const spec::RunSpec& run, std::shared_ptr<plugin::PruningStrategy> pruner)
      : run_(run), pruner_(std::move(pruner)) {}

  std::vector<train::StagePlan> stages() const override {
    std::vector<train::StagePlan> plan{{"train", run_.training.epochs, "trained"}};
    add_pruning_stages(plan);
    return plan;
  }

 protected:
  virtual void add_pruning_stages(std::vector<train::StagePlan>& /*plan*/) const {}

  /// One pruning step with the run's strategy; \p step seeds the strategy's randomness.
  void prune(train::TrainingEngine& engine, const prune::SelectionOptions& selection,
             std::int64_t step) const {
    EnginePruningContext context(engine.trainer(), Rng::derive(run_.seed, "pruning-" + std::to_string(step)));
    prune::prune_step(engine.model(), *pruner_, context, selection);
  }

  const spec::PruningSpec& pruning() const { return *run_.pruning; }
  const std::string& strategy() const { return run_.pruning->strategy.plugin; }

  const spec::RunSpec& run_;
  std::shared_ptr<plugin::PruningStrategy> pruner_;
};

/// Prune once after training, then fine-tune.
class OneShotSchedule : public TrainingSchedule {
 public:
  using TrainingSchedule::TrainingSchedule;

  void stage_begin(train::TrainingEngine& engine) override {
    if (engine.position().stage != 1) return;
    prune(engine, pruning().selection, 1);
    engine.trainer().reset_optimizer();
  }

 protected:
  void add_pruning_stages(std::vector<train::StagePlan>& plan) const override {
    const std::int64_t epochs = pruning().schedule.finetune_epochs;
    plan.push_back(
        {"finetune", epochs, fmt::format("one-shot pruned ({}), fine-tuned {} epochs", strategy(), epochs)});
  }
};

/// Prune, rewind, retrain, `levels` times (iterative magnitude pruning, the lottery ticket procedure).
class IterativeSchedule : public TrainingSchedule {
 public:
  IterativeSchedule(const spec::RunSpec& run, std::shared_ptr<plugin::PruningStrategy> pruner,
                    nn::MaskedModel& model)
      : TrainingSchedule(run, std::move(pruner)),
        rewind_(rewind_point(run.pruning->schedule.rewind)),
        initial_weights_(snapshot_weights(model)) {}

  void stage_begin(train::TrainingEngine& engine) override {
    const std::int64_t level = engine.position().stage;
    if (level == 0) return;
    const auto& schedule = pruning().schedule;
    prune(engine, pruning().selection, level);
    if (rewind_ == RewindPoint::init) {
      restore_weights(engine.model(), initial_weights_);
    } else if (rewind_ == RewindPoint::epoch) {
      if (rewind_weights_.empty()) {
        throw ConfigError(
            fmt::format("pruning.schedule.rewind_epoch: {} is after the last training epoch ({})",
                        schedule.rewind_epoch, run_.training.epochs));
      }
      restore_weights(engine.model(), rewind_weights_);
    }
    // pruned weights keep their rewound values but stay masked; make them zero so archives show them gone
    engine.model().apply_mask();
    engine.trainer().reset_optimizer();
  }

  void epoch_end(train::TrainingEngine& engine, const train::EpochResult& result) override {
    const auto& schedule = pruning().schedule;
    if (result.stage == 0 && rewind_ == RewindPoint::epoch && schedule.rewind_epoch == result.epoch) {
      rewind_weights_ = snapshot_weights(engine.model());
    }
  }

  void save_state(torch::serialize::OutputArchive& archive) const override {
    save_snapshot(archive, "initial_weights", initial_weights_);
    save_snapshot(archive, "rewind_weights", rewind_weights_);
  }

  void load_state(torch::serialize::InputArchive& archive) override {
    initial_weights_ = load_snapshot(archive, "initial_weights");
    rewind_weights_ = load_snapshot(archive, "rewind_weights");
  }

 protected:
  void add_pruning_stages(std::vector<train::StagePlan>& plan) const override {
    const auto& schedule = pruning().schedule;
    const std::int64_t epochs = schedule.retrain_epochs > 0 ? schedule.retrain_epochs : run_.training.epochs;
    for (std::int64_t level = 1; level <= schedule.levels; ++level) {
      plan.push_back({"level", epochs,
                      fmt::format("level {} of {} ({}, rewind {})", level, schedule.levels, strategy(),
                                  schedule.rewind)});
    }
  }

 private:
  RewindPoint rewind_;
  WeightSnapshot initial_weights_;
  WeightSnapshot rewind_weights_;  // empty until stage 0 reaches rewind_epoch
};

/// Prune towards the AGP sparsity target every `frequency` steps while training (Zhu & Gupta 2017).
class GradualSchedule : public TrainingSchedule {
 public:
  GradualSchedule(const spec::RunSpec& run, std::shared_ptr<plugin::PruningStrategy> pruner,
                  std::int64_t steps_per_epoch)
      : TrainingSchedule(run, std::move(pruner)),
        agp_(prune::agp_schedule_in_steps(gradual_options(run.pruning->schedule), steps_per_epoch)) {
    if (pruner_->scope() == plugin::SelectionScope::below_zero) {
      // spec validation refuses this already; kept for callers that build a RunSpec themselves
      throw ConfigError("pruning.schedule.kind: " + prune::threshold_strategy_refusal(strategy(), "gradual"));
    }
  }

  void after_step(train::TrainingEngine& engine) override {
    if (engine.position().stage != 1) return;
    const std::int64_t step = engine.stage_step();
    if (!agp_.is_update_step(step)) return;
    prune::SelectionOptions target = pruning().selection;
    target.rule = prune::SelectionRule::density;
    target.amount = 1.0 - agp_.sparsity_at(step);
    prune(engine, target, step);
    // training goes on with the same optimizer: its momentum or moments at the pruned positions would move
    // those weights off zero again
    for (const auto& layer : engine.model().masked_layers()) {
      engine.trainer().reset_optimizer_state(layer.weight, layer.mask.logical_not());
    }
  }

 protected:
  void add_pruning_stages(std::vector<train::StagePlan>& plan) const override {
    const auto& schedule = pruning().schedule;
    plan.push_back({"gradual", schedule.end_epoch + schedule.finetune_epochs,
                    fmt::format("gradual pruning to sparsity {} ({})", schedule.final_sparsity, strategy())});
  }

 private:
  prune::AgpSchedule agp_;
};

}  // namespace

ScheduleKind schedule_kind(const std::string& kind) {
  if (kind == "one_shot") return ScheduleKind::one_shot;
  if (kind == "iterative") return ScheduleKind::iterative;
  if (kind == "gradual") return ScheduleKind::gradual;
  if (kind == "dynamic") return ScheduleKind::dynamic;
  if (kind == "at_init") return ScheduleKind::at_init;
  throw ConfigError("pruning.schedule.kind: unknown schedule '" + kind +
                    "'; expected one_shot, iterative, gradual, dynamic or at_init");
}

RewindPoint rewind_point(const std::string& rewind) {
  if (rewind == "none") return RewindPoint::none;
  if (rewind == "init") return RewindPoint::init;
  if (rewind == "epoch") return RewindPoint::epoch;
  throw ConfigError("pruning.schedule.rewind: unknown rewind point '" + rewind + "'; expected none, init or epoch");
}

std::int64_t total_epochs(const std::vector<train::StagePlan>& stages) {
  std::int64_t epochs = 0;
  for (const auto& stage : stages) epochs += stage.epochs;
  return epochs;
}

std::unique_ptr<Schedule> make_schedule(const spec::RunSpec& run, nn::MaskedModel& model,
                                        std::shared_ptr<plugin::PruningStrategy> pruner,
                                        std::shared_ptr<plugin::GrowthCriterion> grower,
                                        std::int64_t steps_per_epoch) {
  if (!run.pruning) return std::make_unique<TrainingSchedule>(run, nullptr);
  switch (schedule_kind(run.pruning->schedule.kind)) {
    case ScheduleKind::one_shot:
      return std::make_unique<OneShotSchedule>(run, std::move(pruner));
    case ScheduleKind::iterative:
      return std::make_unique<IterativeSchedule>(run, std::move(pruner), model);
    case ScheduleKind::gradual:
      return std::make_unique<GradualSchedule>(run, std::move(pruner), steps_per_epoch);
    case ScheduleKind::dynamic:
      return make_dynamic_schedule(run, std::move(pruner), std::move(grower), steps_per_epoch);
    case ScheduleKind::at_init:
      return make_at_init_schedule(run, std::move(pruner));
  }
  throw ConfigError("pruning.schedule.kind: unhandled schedule '" + run.pruning->schedule.kind + "'");
}

}  // namespace structlab::run::detail
