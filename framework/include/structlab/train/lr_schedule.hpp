#pragma once
/// \file
/// Learning rate of an epoch under a schedule.

#include <cstdint>

#include "structlab/spec/experiment.hpp"

namespace structlab::train {

/// Learning rate for epoch \p epoch (0-based) of a phase of \p phase_epochs epochs:
/// `none` keeps training.lr; `step` multiplies by gamma every step_size epochs;
/// `cosine` anneals from lr to min_lr over the phase. Throws ConfigError for an unknown kind.
double learning_rate_at(const spec::TrainingSpec& training, std::int64_t epoch, std::int64_t phase_epochs);

}  // namespace structlab::train
