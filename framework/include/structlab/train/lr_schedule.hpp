#pragma once
/// \file
/// Learning rate of an epoch under a schedule.

#include <cstdint>

#include "structlab/train/options.hpp"

namespace structlab::train {

/// Learning rate for epoch \p epoch (0-based) of a stage of \p stage_epochs epochs, starting from \p lr:
/// `none` keeps lr; `step` multiplies by gamma every step_size epochs; `cosine` anneals from lr to min_lr
/// over the stage.
double learning_rate_at(const LrScheduleOptions& schedule, double lr, std::int64_t epoch, std::int64_t stage_epochs);

}  // namespace structlab::train
