// The AGP sparsity schedule against the formula of Zhu & Gupta (2017) at every step.

#include "structlab/prune/agp.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "structlab/error.hpp"

namespace structlab::prune {
namespace {

AgpSchedule schedule(double initial, double final_sparsity, std::int64_t t0, std::int64_t n,
                     std::int64_t dt) {
  AgpSchedule agp;
  agp.initial_sparsity = initial;
  agp.final_sparsity = final_sparsity;
  agp.start_step = t0;
  agp.num_pruning_steps = n;
  agp.step_interval = dt;
  return agp;
}

TEST(Agp, SparsityEqualsTheFormulaAtEveryStep) {
  const double s_i = 0.1, s_f = 0.85;
  const std::int64_t t0 = 7, n = 12, dt = 3;
  AgpSchedule agp = schedule(s_i, s_f, t0, n, dt);
  ASSERT_NO_THROW(agp.validate());
  for (std::int64_t t = 0; t <= t0 + n * dt + 10; ++t) {
    double expected;
    if (t < t0) {
      expected = s_i;
    } else if (t > t0 + n * dt) {
      expected = s_f;
    } else {
      expected =
          s_f + (s_i - s_f) * std::pow(1.0 - static_cast<double>(t - t0) / static_cast<double>(n * dt), 3.0);
    }
    EXPECT_NEAR(agp.sparsity_at(t), expected, 1e-12) << "step " << t;
  }
}

TEST(Agp, StartsAtTheInitialAndEndsAtTheFinalSparsity) {
  AgpSchedule agp = schedule(0.0, 0.8, 10, 4, 5);
  EXPECT_DOUBLE_EQ(agp.sparsity_at(10), 0.0);
  EXPECT_DOUBLE_EQ(agp.sparsity_at(20), 0.8 - 0.8 * 0.125);  // half way: (1 - 1/2)^3 of the gap remains
  EXPECT_DOUBLE_EQ(agp.sparsity_at(30), 0.8);
  EXPECT_EQ(agp.end_step(), 30);
  // monotone: pruning never gives weights back
  for (std::int64_t t = 0; t < 40; ++t) EXPECT_LE(agp.sparsity_at(t), agp.sparsity_at(t + 1));
}

TEST(Agp, UpdatesHappenEveryIntervalFromStartToEnd) {
  AgpSchedule agp = schedule(0.0, 0.5, 4, 3, 2);
  std::vector<std::int64_t> updates;
  for (std::int64_t t = 0; t < 20; ++t) {
    if (agp.is_update_step(t)) updates.push_back(t);
  }
  EXPECT_EQ(updates, (std::vector<std::int64_t>{4, 6, 8, 10}));
}

TEST(Agp, EpochsBecomeSteps) {
  GradualOptions spec;
  spec.initial_sparsity = 0.0;
  spec.final_sparsity = 0.9;
  spec.start_epoch = 1;
  spec.end_epoch = 3;
  spec.frequency = 25;
  AgpSchedule agp = agp_schedule_in_steps(spec, 100);
  EXPECT_EQ(agp.start_step, 100);
  EXPECT_EQ(agp.step_interval, 25);
  EXPECT_EQ(agp.num_pruning_steps, 8);
  EXPECT_EQ(agp.end_step(), 300);
  EXPECT_DOUBLE_EQ(agp.sparsity_at(300), 0.9);
  spec.frequency = 30;  // 200 steps / 30 = 6 updates after the first; the last at step 280
  EXPECT_EQ(agp_schedule_in_steps(spec, 100).end_step(), 280);
}

TEST(Agp, BadSchedulesAreConfigErrors) {
  EXPECT_THROW(schedule(-0.1, 0.5, 0, 1, 1).validate(), ConfigError);
  EXPECT_THROW(schedule(0.0, 1.0, 0, 1, 1).validate(), ConfigError);
  EXPECT_THROW(schedule(0.6, 0.5, 0, 1, 1).validate(), ConfigError);
  EXPECT_THROW(schedule(0.0, 0.5, -1, 1, 1).validate(), ConfigError);
  EXPECT_THROW(schedule(0.0, 0.5, 0, 0, 1).validate(), ConfigError);
  EXPECT_THROW(schedule(0.0, 0.5, 0, 1, 0).validate(), ConfigError);
  GradualOptions spec;
  spec.start_epoch = 2;
  spec.end_epoch = 2;
  EXPECT_THROW(agp_schedule_in_steps(spec, 10), ConfigError);
  spec.end_epoch = 3;
  spec.frequency = 11;  // longer than the 10 steps of pruning
  EXPECT_THROW(agp_schedule_in_steps(spec, 10), ConfigError);
  spec.frequency = 0;
  EXPECT_THROW(agp_schedule_in_steps(spec, 10), ConfigError);
  spec.frequency = 1;
  EXPECT_THROW(agp_schedule_in_steps(spec, 0), ConfigError);
  try {
    spec.final_sparsity = 1.5;
    agp_schedule_in_steps(spec, 10);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("pruning.schedule.final_sparsity"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace structlab::prune
