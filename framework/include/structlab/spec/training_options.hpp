#pragma once
/// \file
/// From the spec's `training:` section to the trainer's typed options.

#include <torch/types.h>

#include "structlab/spec/experiment.hpp"
#include "structlab/train/options.hpp"

namespace structlab::spec {

/// The TrainerOptions of a validated `training:` section (loss `auto` becomes cross_entropy; pass
/// `training.loss == "auto"` to the trainer to choose by the dataset's task). Throws ConfigError naming the
/// key for a value validation would have refused.
train::TrainerOptions trainer_options(const TrainingSpec& training);

/// The device of `training.device`; throws ConfigError when it is malformed or names a CUDA device this
/// machine does not have.
torch::Device training_device(const TrainingSpec& training);

}  // namespace structlab::spec
