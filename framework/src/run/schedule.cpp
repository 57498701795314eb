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
    std::vector<train::StagePlan> plan{{"train", run_.training.epochs, "trained", ""}};
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
        {"finetune", epochs, fmt::format("one-shot pruned ({}), fine-tuned {} epochs", strategy(), epochs), ""});
  }
};

/// The masks of every masked layer (copies).
std::vector<torch::Tensor> snapshot_masks(nn::MaskedModel& model) {
  std::vector<torch::Tensor> masks;
  for (const auto& layer : model.masked_layers()) masks.push_back(layer.mask.clone());
  return masks;
}

void restore_masks(nn::MaskedModel& model, const std::vector<torch::Tensor>& masks) {
  const std::vector<nn::MaskedLayerRef> layers = model.masked_layers();
  if (layers.size() != masks.size()) {
    throw ModelError(fmt::format("cannot restore masks: the model has {} masked layers, the snapshot {}",
                                 layers.size(), masks.size()));
  }
  for (std::size_t l = 0; l < layers.size(); ++l) layers[l].set_mask(masks[l]);
}

/// Random masks with the active count of each of \p masks, for the layers \p excluded does not protect
/// (those keep theirs): positions drawn uniformly from the whole layer.
std::vector<torch::Tensor> random_masks_like(const std::vector<torch::Tensor>& masks, const std::vector<bool>& excluded,
                                             std::uint64_t seed) {
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::vector<torch::Tensor> random;
  for (std::size_t l = 0; l < masks.size(); ++l) {
    if (excluded[l]) {
      random.push_back(masks[l].clone());
      continue;
    }
    const std::int64_t size = masks[l].numel();
    const std::int64_t active = masks[l].sum().item<std::int64_t>();
    const torch::Tensor chosen = torch::randperm(size, generator, torch::kLong).slice(0, 0, active);
    torch::Tensor mask = torch::zeros({size}, torch::kBool);
    mask.index_fill_(0, chosen, true);
    random.push_back(mask.view(masks[l].sizes()).to(masks[l].device()));
  }
  return random;
}

/// Prune, rewind, retrain, `levels` times (iterative magnitude pruning, the lottery ticket procedure), with
/// the controls of `pruning.controls` trained beside each level: `reinit` (the level's masks, fresh initial
/// weights) and `random_masks` (random masks of each layer's active count, the ticket's rewind weights).
/// Stages: 0 trains; then per level the ticket, then each control, in the order given.
class IterativeSchedule : public TrainingSchedule {
 public:
  IterativeSchedule(const spec::RunSpec& run, std::shared_ptr<plugin::PruningStrategy> pruner,
                    nn::MaskedModel& model, FreshInitialisation fresh_initialisation)
      : TrainingSchedule(run, std::move(pruner)),
        rewind_(rewind_point(run.pruning->schedule.rewind)),
        controls_(run.pruning->controls),
        fresh_initialisation_(std::move(fresh_initialisation)),
        initial_weights_(snapshot_weights(model)) {
    if (!controls_.empty() && !fresh_initialisation_) {
      throw ConfigError("pruning.controls: this run cannot build fresh initial weights for its controls");
    }
  }

  void stage_begin(train::TrainingEngine& engine) override {
    const std::int64_t stage = engine.position().stage;
    if (stage == 0) return;
    const std::int64_t level = level_of(stage);
    const std::string control = control_of(stage);
    nn::MaskedModel& model = engine.model();
    if (control.empty()) {
      // the controls of the last level trained this model since: the ticket goes on from where its level ended
      if (!ticket_weights_.empty()) {
        restore_weights(model, ticket_weights_);
        restore_masks(model, ticket_masks_);
      }
      prune(engine, pruning().selection, level);
      if (rewind_ != RewindPoint::none) rewind(model);
    } else if (control == "reinit") {
      restore_weights(model, fresh_initialisation_(Rng::derive(run_.seed, "reinit-" + std::to_string(level))));
      restore_masks(model, ticket_masks_);
    } else {
      rewind(model);
      const std::vector<bool> excluded = prune::excluded_layers(model, pruning().selection);
      restore_masks(model, random_masks_like(ticket_masks_, excluded,
                                             Rng::derive(run_.seed, "random-masks-" + std::to_string(level))));
    }
    // pruned weights keep their rewound values but stay masked; make them zero so archives show them gone
    model.apply_mask();
    engine.trainer().reset_optimizer();
  }

  void stage_end(train::TrainingEngine& engine) override {
    const std::int64_t stage = engine.position().stage;
    if (controls_.empty() || stage == 0 || !control_of(stage).empty()) return;
    // the ticket as its level ended: the controls start from its masks, the next level from its weights
    ticket_weights_ = snapshot_weights(engine.model());
    ticket_masks_ = snapshot_masks(engine.model());
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
    if (controls_.empty()) return;
    save_snapshot(archive, "ticket_weights", ticket_weights_);
    save_snapshot(archive, "ticket_masks", ticket_masks_);
  }

  void load_state(torch::serialize::InputArchive& archive) override {
    initial_weights_ = load_snapshot(archive, "initial_weights");
    rewind_weights_ = load_snapshot(archive, "rewind_weights");
    if (controls_.empty()) return;
    ticket_weights_ = load_snapshot(archive, "ticket_weights");
    ticket_masks_ = load_snapshot(archive, "ticket_masks");
  }

 protected:
  void add_pruning_stages(std::vector<train::StagePlan>& plan) const override {
    const auto& schedule = pruning().schedule;
    const std::int64_t epochs = schedule.retrain_epochs > 0 ? schedule.retrain_epochs : run_.training.epochs;
    const std::string ticket_series = controls_.empty() ? "" : "ticket";
    for (std::int64_t level = 1; level <= schedule.levels; ++level) {
      plan.push_back({"level", epochs,
                      fmt::format("level {} of {} ({}, rewind {})", level, schedule.levels, strategy(),
                                  schedule.rewind),
                      ticket_series});
      for (const std::string& control : controls_) {
        plan.push_back({control, epochs,
                        fmt::format("level {} of {}, control {}: {}", level, schedule.levels, control,
                                    control == "reinit" ? "the ticket's masks, fresh initial weights"
                                                        : "random masks of the ticket's per-layer density, "
                                                          "its rewind weights"),
                        control});
      }
    }
  }

 private:
  std::int64_t stages_per_level() const { return 1 + static_cast<std::int64_t>(controls_.size()); }
  std::int64_t level_of(std::int64_t stage) const { return (stage - 1) / stages_per_level() + 1; }
  // "" for the ticket's stage of a level, else the control's name
  std::string control_of(std::int64_t stage) const {
    const std::int64_t slot = (stage - 1) % stages_per_level();
    return slot == 0 ? std::string() : controls_[static_cast<std::size_t>(slot - 1)];
  }

  // The rewind point's weights into \p model: initial, the rewind epoch's, or (none) the ticket's as its level
  // ended (a control starts from the weights the ticket trained to).
  void rewind(nn::MaskedModel& model) const {
    if (rewind_ == RewindPoint::init) {
      restore_weights(model, initial_weights_);
    } else if (rewind_ == RewindPoint::epoch) {
      if (rewind_weights_.empty()) {
        throw ConfigError(fmt::format("pruning.schedule.rewind_epoch: {} is after the last training epoch ({})",
                                      pruning().schedule.rewind_epoch, run_.training.epochs));
      }
      restore_weights(model, rewind_weights_);
    } else if (!ticket_weights_.empty()) {
      restore_weights(model, ticket_weights_);
    }
  }

  RewindPoint rewind_;
  std::vector<std::string> controls_;
  FreshInitialisation fresh_initialisation_;
  WeightSnapshot initial_weights_;
  WeightSnapshot rewind_weights_;        // empty until stage 0 reaches rewind_epoch
  WeightSnapshot ticket_weights_;        // controls only: the ticket's weights as its last level ended
  std::vector<torch::Tensor> ticket_masks_;  // and its masks
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
                    fmt::format("gradual pruning to sparsity {} ({})", schedule.final_sparsity, strategy()), ""});
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
                                        std::int64_t steps_per_epoch, FreshInitialisation fresh_initialisation) {
  if (!run.pruning) return std::make_unique<TrainingSchedule>(run, nullptr);
  switch (schedule_kind(run.pruning->schedule.kind)) {
    case ScheduleKind::one_shot:
      return std::make_unique<OneShotSchedule>(run, std::move(pruner));
    case ScheduleKind::iterative:
      return std::make_unique<IterativeSchedule>(run, std::move(pruner), model, std::move(fresh_initialisation));
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
