#include "structlab/train/lr_schedule.hpp"

#include <gtest/gtest.h>

#include "structlab/error.hpp"

namespace structlab::train {
namespace {

spec::TrainingSpec training_with(const std::string& kind) {
  spec::TrainingSpec training;
  training.lr = 0.1;
  training.lr_schedule.kind = kind;
  return training;
}

TEST(LrSchedule, NoneKeepsTheRate) {
  auto training = training_with("none");
  EXPECT_DOUBLE_EQ(learning_rate_at(training, 0, 10), 0.1);
  EXPECT_DOUBLE_EQ(learning_rate_at(training, 9, 10), 0.1);
}

TEST(LrSchedule, StepDecaysEveryStepSizeEpochs) {
  auto training = training_with("step");
  training.lr_schedule.step_size = 2;
  training.lr_schedule.gamma = 0.5;
  EXPECT_DOUBLE_EQ(learning_rate_at(training, 0, 10), 0.1);
  EXPECT_DOUBLE_EQ(learning_rate_at(training, 1, 10), 0.1);
  EXPECT_DOUBLE_EQ(learning_rate_at(training, 2, 10), 0.05);
  EXPECT_DOUBLE_EQ(learning_rate_at(training, 5, 10), 0.025);
}

TEST(LrSchedule, CosineGoesFromLrTowardsMinimum) {
  auto training = training_with("cosine");
  training.lr_schedule.min_lr = 0.0;
  EXPECT_DOUBLE_EQ(learning_rate_at(training, 0, 4), 0.1);
  EXPECT_NEAR(learning_rate_at(training, 2, 4), 0.05, 1e-12);
  EXPECT_LT(learning_rate_at(training, 3, 4), 0.05);
}

TEST(LrSchedule, UnknownKindIsAConfigError) {
  EXPECT_THROW(learning_rate_at(training_with("exponential"), 0, 1), ConfigError);
}

}  // namespace
}  // namespace structlab::train
