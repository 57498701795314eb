// The pruning schedules of a run: one_shot, iterative (lottery ticket rewinding), gradual (AGP).

#include <fmt/format.h>

#include "run/run_state.hpp"
#include "structlab/error.hpp"
#include "structlab/graph/metrics.hpp"
#include "structlab/prune/agp.hpp"
#include "structlab/prune/dead_units.hpp"
#include "structlab/prune/selection.hpp"
#include "structlab/random.hpp"

namespace structlab::run::detail {
namespace {

/// Gives strategies access to training batches of the run.
class RunPruningContext : public plugin::PruningContext {
 public:
  RunPruningContext(train::Trainer& trainer, std::uint64_t seed) : trainer_(trainer), seed_(seed) {}
  std::uint64_t seed() const override { return seed_; }
  std::int64_t num_batches() const override { return trainer_.steps_per_epoch(); }
  torch::Tensor loss(nn::MaskedModel& /*model*/, std::int64_t index) override {
    return trainer_.batch_loss(index);
  }

 private:
  train::Trainer& trainer_;
  std::uint64_t seed_;
};

void prune_once(RunState& state, const spec::SelectionSpec& selection, std::int64_t step) {
  RunPruningContext context(*state.trainer, Rng::derive(state.spec.seed, "pruning-" + std::to_string(step)));
  prune::prune_step(*state.model, *state.pruner, context, selection);
}

std::string strategy_name(const RunState& state) { return state.spec.pruning->strategy.plugin; }

void archive_pruned_stage(RunState& state, const std::string& description) {
  archive_stage(state, description);
}

void one_shot(RunState& state) {
  const auto& pruning = *state.spec.pruning;
  prune_once(state, pruning.selection, 1);
  state.trainer->reset_optimizer();
  std::int64_t stage = state.next_stage;
  train_stage(state, stage, "finetune", pruning.schedule.finetune_epochs);
  if (pruning.schedule.finetune_epochs == 0) state.last_test = state.trainer->evaluate(state.data.test);
  archive_pruned_stage(state, fmt::format("one-shot pruned ({}), fine-tuned {} epochs", strategy_name(state),
                                          pruning.schedule.finetune_epochs));
}

void iterative(RunState& state) {
  const auto& pruning = *state.spec.pruning;
  const auto& schedule = pruning.schedule;
  std::int64_t epochs = schedule.retrain_epochs > 0 ? schedule.retrain_epochs : state.spec.training.epochs;
  for (std::int64_t level = 1; level <= schedule.levels; ++level) {
    prune_once(state, pruning.selection, level);
    if (schedule.rewind == "init") {
      restore_weights(*state.model, state.initial_weights);
    } else if (schedule.rewind == "epoch") {
      if (!state.rewind_weights) {
        throw ConfigError(
            fmt::format("pruning.schedule.rewind_epoch: {} is after the last training epoch ({})",
                        schedule.rewind_epoch, state.spec.training.epochs));
      }
      restore_weights(*state.model, *state.rewind_weights);
    }
    // pruned weights keep their rewound values but stay masked; make them zero so archives show them gone
    state.model->apply_mask();
    state.trainer->reset_optimizer();
    train_stage(state, state.next_stage, "level", epochs);
    archive_pruned_stage(state, fmt::format("level {} of {} ({}, rewind {})", level, schedule.levels,
                                            strategy_name(state), schedule.rewind));
  }
}

void gradual(RunState& state) {
  const auto& pruning = *state.spec.pruning;
  const auto& schedule = pruning.schedule;
  if (state.pruner->scope() == plugin::SelectionScope::below_zero) {
    // spec validation refuses this already; kept for callers that build a RunSpec themselves
    throw ConfigError("pruning.schedule.kind: " + prune::threshold_strategy_refusal(strategy_name(state)));
  }
  const std::int64_t steps_per_epoch = state.trainer->steps_per_epoch();
  prune::AgpSchedule agp = prune::agp_schedule_in_steps(schedule, steps_per_epoch);
  std::int64_t epoch_in_stage = 0;
  auto hook = [&](std::int64_t step, std::int64_t /*steps*/) {
    std::int64_t global_step = epoch_in_stage * steps_per_epoch + step;
    if (!agp.is_update_step(global_step)) return;
    spec::SelectionSpec target = pruning.selection;
    target.rule = "density";
    target.amount = 1.0 - agp.sparsity_at(global_step);
    prune_once(state, target, global_step);
  };
  std::int64_t stage = state.next_stage;
  std::int64_t epochs = schedule.end_epoch + schedule.finetune_epochs;
  // one epoch at a time so the hook knows the epoch it is in
  train::StepHook counted = [&](std::int64_t step, std::int64_t steps) {
    hook(step, steps);
    if (step + 1 == steps) ++epoch_in_stage;
  };
  train_stage(state, stage, "gradual", epochs, counted);
  archive_pruned_stage(state, fmt::format("gradual pruning to sparsity {} ({})", schedule.final_sparsity,
                                          strategy_name(state)));
}

}  // namespace

void run_pruning_schedule(RunState& state) {
  const auto& pruning = *state.spec.pruning;
  state.pruner = state.registry.create_pruner(pruning.strategy.plugin, pruning.strategy.params);
  const std::string& kind = pruning.schedule.kind;
  if (kind == "one_shot") return one_shot(state);
  if (kind == "iterative") return iterative(state);
  if (kind == "gradual") return gradual(state);
  throw ConfigError("pruning.schedule.kind: unknown schedule '" + kind +
                    "'; expected one_shot, iterative or gradual");
}

std::map<std::string, double> structure_metrics(const graph::LayeredGraph& graph) {
  graph::MetricsOptions options;
  // keep L affordable on big structures: an estimate from sampled sources, one thread beside training
  options.path_samples = graph.num_vertices() > 2000 ? 256 : 0;
  options.threads = 1;
  std::map<std::string, double> out;
  for (const auto& [name, value] : graph::compute_metrics(graph, options).flatten()) out[name] = value;
  return out;
}

}  // namespace structlab::run::detail
