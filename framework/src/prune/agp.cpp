#include "structlab/prune/agp.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "structlab/error.hpp"

namespace structlab::prune {
namespace {

[[noreturn]] void fail(const std::string& key, const std::string& message) {
  throw ConfigError(fmt::format("pruning.schedule.{}: {}", key, message));
}

void check_sparsity(const std::string& key, double sparsity) {
  if (!(sparsity >= 0.0 && sparsity < 1.0)) fail(key, fmt::format("must be in [0, 1), got {}", sparsity));
}

}  // namespace

void AgpSchedule::validate() const {
  check_sparsity("initial_sparsity", initial_sparsity);
  check_sparsity("final_sparsity", final_sparsity);
  if (final_sparsity < initial_sparsity) {
    fail("final_sparsity",
         fmt::format("must not be below initial_sparsity ({}), got {}", initial_sparsity, final_sparsity));
  }
  if (start_step < 0) fail("start_epoch", fmt::format("must not be negative, got step {}", start_step));
  if (num_pruning_steps < 1) fail("end_epoch", "leaves no pruning step after the start");
  if (step_interval < 1) fail("frequency", fmt::format("must be at least 1, got {}", step_interval));
}

double AgpSchedule::sparsity_at(std::int64_t step) const {
  const std::int64_t clamped = std::clamp(step, start_step, end_step());
  const double progress =
      static_cast<double>(clamped - start_step) / static_cast<double>(num_pruning_steps * step_interval);
  const double remaining = 1.0 - progress;
  return final_sparsity + (initial_sparsity - final_sparsity) * remaining * remaining * remaining;
}

bool AgpSchedule::is_update_step(std::int64_t step) const {
  return step >= start_step && step <= end_step() && (step - start_step) % step_interval == 0;
}

AgpSchedule agp_schedule_in_steps(const GradualOptions& schedule, std::int64_t steps_per_epoch) {
  if (steps_per_epoch < 1) {
    throw ConfigError(
        fmt::format("gradual pruning needs at least one training step per epoch, got {}", steps_per_epoch));
  }
  if (schedule.end_epoch <= schedule.start_epoch) {
    fail("end_epoch",
         fmt::format("must be after start_epoch ({}), got {}", schedule.start_epoch, schedule.end_epoch));
  }
  if (schedule.frequency < 1)
    fail("frequency", fmt::format("must be at least 1, got {}", schedule.frequency));
  AgpSchedule agp;
  agp.initial_sparsity = schedule.initial_sparsity;
  agp.final_sparsity = schedule.final_sparsity;
  agp.start_step = schedule.start_epoch * steps_per_epoch;
  agp.step_interval = schedule.frequency;
  const std::int64_t span = (schedule.end_epoch - schedule.start_epoch) * steps_per_epoch;
  agp.num_pruning_steps = span / schedule.frequency;
  if (agp.num_pruning_steps < 1) {
    fail("frequency",
         fmt::format("{} steps between updates is longer than the {} steps from start_epoch {} to "
                     "end_epoch {}",
                     schedule.frequency, span, schedule.start_epoch, schedule.end_epoch));
  }
  agp.validate();
  return agp;
}

std::string threshold_strategy_refusal(const std::string& strategy, const std::string& schedule) {
  return fmt::format(
      "strategy '{}' prunes by its own threshold and cannot follow the {} schedule's sparsity targets; "
      "use one_shot or iterative, or a strategy that prunes by amount",
      strategy, schedule);
}

}  // namespace structlab::prune
