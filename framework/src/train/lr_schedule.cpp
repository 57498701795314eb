#include "structlab/train/lr_schedule.hpp"

#include <cmath>

#include "structlab/error.hpp"

namespace structlab::train {

double learning_rate_at(const spec::TrainingSpec& training, std::int64_t epoch, std::int64_t phase_epochs) {
  const spec::LrSchedule& schedule = training.lr_schedule;
  if (schedule.kind == "none") return training.lr;
  if (schedule.kind == "step") {
    std::int64_t step_size = schedule.step_size < 1 ? 1 : schedule.step_size;
    return training.lr * std::pow(schedule.gamma, static_cast<double>(epoch / step_size));
  }
  if (schedule.kind == "cosine") {
    if (phase_epochs <= 1) return training.lr;
    double progress = static_cast<double>(epoch) / static_cast<double>(phase_epochs);
    return schedule.min_lr + (training.lr - schedule.min_lr) * 0.5 * (1.0 + std::cos(M_PI * progress));
  }
  throw ConfigError("training.lr_schedule.kind: unknown schedule '" + schedule.kind +
                    "'; expected none, step or cosine");
}

}  // namespace structlab::train
