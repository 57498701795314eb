#pragma once
/// \file
/// Automated gradual pruning (Zhu & Gupta 2017): the sparsity target at each training step.
///
/// s_t = s_f + (s_i - s_f) * (1 - (t - t0) / (n * dt))^3 for t0 <= t <= t0 + n*dt, s_i before, s_f after:
/// pruning is fast at first, while many redundant weights remain, and slows down towards s_f.

#include <cstdint>
#include <string>

#include "structlab/prune/options.hpp"

namespace structlab::prune {

/// An AGP schedule counted in training steps (batches).
struct AgpSchedule {
  double initial_sparsity = 0.0;       ///< s_i, in [0, 1)
  double final_sparsity = 0.9;         ///< s_f, in [s_i, 1)
  std::int64_t start_step = 0;         ///< t0, the step of the first mask update
  std::int64_t num_pruning_steps = 1;  ///< n, mask updates after the one at t0
  std::int64_t step_interval = 1;      ///< dt, training steps between mask updates

  /// The last step of pruning, t0 + n*dt.
  std::int64_t end_step() const { return start_step + num_pruning_steps * step_interval; }
  /// Throws ConfigError (naming the pruning.schedule key) when a value is out of range.
  void validate() const;
  /// s_t at step \p step, clamped to s_i before t0 and to s_f after t0 + n*dt.
  double sparsity_at(std::int64_t step) const;
  /// True when the masks are updated at \p step: t0, t0 + dt, ..., t0 + n*dt.
  bool is_update_step(std::int64_t step) const;
};

/// The AGP schedule of a `gradual` pruning.schedule (its GradualOptions) with \p steps_per_epoch batches per epoch.
/// Epochs count from 0: pruning starts at the first step of epoch start_epoch and s_f is reached by the
/// first step of epoch end_epoch (after end_epoch epochs of training); n = (end_epoch - start_epoch) *
/// steps_per_epoch / frequency, rounded down. Throws ConfigError when the epochs, frequency or sparsities
/// leave no valid schedule (e.g. end_epoch <= start_epoch, or frequency longer than the pruning span).
AgpSchedule agp_schedule_in_steps(const GradualOptions& schedule, std::int64_t steps_per_epoch);

/// Why \p strategy, which prunes by its own threshold (SelectionScope::below_zero) and ignores the amount,
/// cannot follow the sparsity targets of the schedule kind \p schedule (`gradual`, `at_init`), and what to use
/// instead. Spec validation and the runner both say it under pruning.schedule.kind.
std::string threshold_strategy_refusal(const std::string& strategy, const std::string& schedule);

}  // namespace structlab::prune
