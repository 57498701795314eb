#include "structlab/train/lr_schedule.hpp"

#include <gtest/gtest.h>

namespace structlab::train {
namespace {

LrScheduleOptions schedule_of(LrScheduleKind kind) {
  LrScheduleOptions schedule;
  schedule.kind = kind;
  return schedule;
}

TEST(LrSchedule, NoneKeepsTheRate) {
  const auto schedule = schedule_of(LrScheduleKind::none);
  EXPECT_DOUBLE_EQ(learning_rate_at(schedule, 0.1, 0, 10), 0.1);
  EXPECT_DOUBLE_EQ(learning_rate_at(schedule, 0.1, 9, 10), 0.1);
}

TEST(LrSchedule, StepDecaysEveryStepSizeEpochs) {
  auto schedule = schedule_of(LrScheduleKind::step);
  schedule.step_size = 2;
  schedule.gamma = 0.5;
  EXPECT_DOUBLE_EQ(learning_rate_at(schedule, 0.1, 0, 10), 0.1);
  EXPECT_DOUBLE_EQ(learning_rate_at(schedule, 0.1, 1, 10), 0.1);
  EXPECT_DOUBLE_EQ(learning_rate_at(schedule, 0.1, 2, 10), 0.05);
  EXPECT_DOUBLE_EQ(learning_rate_at(schedule, 0.1, 5, 10), 0.025);
}

TEST(LrSchedule, CosineGoesFromLrTowardsMinimum) {
  auto schedule = schedule_of(LrScheduleKind::cosine);
  schedule.min_lr = 0.0;
  EXPECT_DOUBLE_EQ(learning_rate_at(schedule, 0.1, 0, 4), 0.1);
  EXPECT_NEAR(learning_rate_at(schedule, 0.1, 2, 4), 0.05, 1e-12);
  EXPECT_LT(learning_rate_at(schedule, 0.1, 3, 4), 0.05);
}

}  // namespace
}  // namespace structlab::train
