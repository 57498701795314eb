#pragma once
/// \file
/// TrainerOptions: how the trainer trains, as typed values (spec/ fills them in from `training:`).

#include <torch/types.h>

#include <cstdint>

#include "structlab/nn/sparse_kernels.hpp"

namespace structlab::train {

/// The optimizer a trainer builds.
enum class OptimizerKind {
  sgd,   ///< SGD with momentum, weight decay and optional Nesterov momentum
  adam,  ///< Adam
};

/// The loss a trainer minimises.
enum class LossKind {
  cross_entropy,  ///< classification: logits against class indices
  mse,            ///< regression: mean squared error
};

/// How the learning rate changes over a stage's epochs.
enum class LrScheduleKind {
  none,    ///< constant
  step,    ///< multiplied by gamma every step_size epochs
  cosine,  ///< annealed from lr to min_lr over the stage
};

/// The learning-rate schedule of a stage.
struct LrScheduleOptions {
  LrScheduleKind kind = LrScheduleKind::none;  ///< the schedule
  std::int64_t step_size = 1;                  ///< step: epochs between decays
  double gamma = 0.1;                          ///< step: decay factor
  double min_lr = 0.0;                         ///< cosine: final learning rate
};

/// Everything a Trainer needs to know about how to train.
struct TrainerOptions {
  OptimizerKind optimizer = OptimizerKind::sgd;  ///< the optimizer
  double lr = 0.05;                              ///< learning rate
  double momentum = 0.9;                         ///< sgd momentum
  double weight_decay = 0.0;                     ///< L2 penalty
  bool nesterov = false;                         ///< sgd Nesterov momentum
  double beta1 = 0.9;                            ///< adam beta1
  double beta2 = 0.999;                          ///< adam beta2
  std::int64_t batch_size = 128;                 ///< samples per step
  LossKind loss = LossKind::cross_entropy;       ///< the loss
  LrScheduleOptions lr_schedule;                 ///< learning-rate schedule per stage
  torch::Device device = torch::kCPU;            ///< where the model, every batch and every tensor live
  nn::SparseKernels train_kernels = nn::SparseKernels::automatic;  ///< masked layers' kernel in training steps
  nn::SparseKernels eval_kernels = nn::SparseKernels::automatic;   ///< masked layers' kernel in evaluate()
};

}  // namespace structlab::train
