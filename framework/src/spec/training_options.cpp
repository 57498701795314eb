#include "structlab/spec/training_options.hpp"

#include <fmt/format.h>
#include <torch/cuda.h>

#include "structlab/error.hpp"
#include "structlab/nn/sparse_kernels.hpp"

namespace structlab::spec {
namespace {

train::LrScheduleKind lr_schedule_kind(const std::string& kind) {
  if (kind == "none") return train::LrScheduleKind::none;
  if (kind == "step") return train::LrScheduleKind::step;
  if (kind == "cosine") return train::LrScheduleKind::cosine;
  throw ConfigError(
      fmt::format("training.lr_schedule.kind: unknown schedule '{}'; expected none, step or cosine", kind));
}

nn::SparseKernels sparse_kernels_of(const std::string& text, const char* key) {
  try {
    return nn::sparse_kernels_from_string(text);
  } catch (const std::invalid_argument&) {
    throw ConfigError(fmt::format("training.{}: unknown mode '{}'; expected auto, on or off", key, text));
  }
}

}  // namespace

train::TrainerOptions trainer_options(const TrainingSpec& training) {
  train::TrainerOptions options;
  if (training.optimizer == "sgd") {
    options.optimizer = train::OptimizerKind::sgd;
  } else if (training.optimizer == "adam") {
    options.optimizer = train::OptimizerKind::adam;
  } else {
    throw ConfigError(
        fmt::format("training.optimizer: unknown optimizer '{}'; expected sgd or adam", training.optimizer));
  }
  if (training.loss == "auto" || training.loss == "cross_entropy") {
    options.loss = train::LossKind::cross_entropy;
  } else if (training.loss == "mse") {
    options.loss = train::LossKind::mse;
  } else {
    throw ConfigError(
        fmt::format("training.loss: unknown loss '{}'; expected auto, cross_entropy or mse", training.loss));
  }
  options.lr = training.lr;
  options.momentum = training.momentum;
  options.weight_decay = training.weight_decay;
  options.nesterov = training.nesterov;
  options.beta1 = training.beta1;
  options.beta2 = training.beta2;
  options.batch_size = training.batch_size;
  options.lr_schedule.kind = lr_schedule_kind(training.lr_schedule.kind);
  options.lr_schedule.step_size = training.lr_schedule.step_size;
  options.lr_schedule.gamma = training.lr_schedule.gamma;
  options.lr_schedule.min_lr = training.lr_schedule.min_lr;
  options.device = training_device(training);
  options.train_kernels = sparse_kernels_of(training.sparse_kernels, "sparse_kernels");
  options.eval_kernels = sparse_kernels_of(training.eval_sparse_kernels, "eval_sparse_kernels");
  return options;
}

torch::Device training_device(const TrainingSpec& training) {
  torch::Device device = torch::kCPU;
  try {
    device = torch::Device(training.device);
  } catch (const std::exception&) {
    throw ConfigError(
        fmt::format("training.device: '{}' is not a device; expected cpu, cuda or cuda:N", training.device));
  }
  if (device.is_cuda()) {
    const auto available = static_cast<std::int64_t>(torch::cuda::device_count());
    if (available == 0) {
      throw ConfigError(fmt::format(
          "training.device: {} requested, but this machine has no CUDA device (LibTorch sees none); use cpu",
          training.device));
    }
    if (device.has_index() && device.index() >= available) {
      throw ConfigError(fmt::format("training.device: {} requested, but this machine has {} CUDA device(s)",
                                    training.device, available));
    }
  } else if (!device.is_cpu()) {
    throw ConfigError(
        fmt::format("training.device: '{}' is not supported; expected cpu, cuda or cuda:N", training.device));
  }
  return device;
}

}  // namespace structlab::spec
