#include "structlab/train/lr_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace structlab::train {

double learning_rate_at(const LrScheduleOptions& schedule, double lr, std::int64_t epoch,
                        std::int64_t stage_epochs) {
  switch (schedule.kind) {
    case LrScheduleKind::none:
      return lr;
    case LrScheduleKind::step: {
      const std::int64_t step_size = std::max<std::int64_t>(schedule.step_size, 1);
      return lr * std::pow(schedule.gamma, static_cast<double>(epoch / step_size));
    }
    case LrScheduleKind::cosine: {
      if (stage_epochs <= 1) return lr;
      const double progress = static_cast<double>(epoch) / static_cast<double>(stage_epochs);
      return schedule.min_lr + (lr - schedule.min_lr) * 0.5 * (1.0 + std::cos(M_PI * progress));
    }
  }
  return lr;
}

}  // namespace structlab::train
