#include "structlab/run/progress.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

namespace structlab::run {
namespace {

ProgressUpdate epoch_update() {
  ProgressUpdate update;
  update.run_id = "exp-0123456789";
  update.stage = "train 00";
  update.epoch = 2;
  update.epochs = 3;
  update.train_loss = 0.5;
  update.test_accuracy = 0.8125;
  update.test_loss = 0.55;
  update.eta_seconds = 75;
  return update;
}

TEST(Progress, DescribeNamesStageEpochLossAccuracyAndEta) {
  std::string line = describe(epoch_update());
  EXPECT_NE(line.find("exp-0123456789  train 00  epoch 2/3"), std::string::npos) << line;
  EXPECT_NE(line.find("loss 0.5000"), std::string::npos) << line;
  EXPECT_NE(line.find("test acc 0.8125"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 1m15s"), std::string::npos) << line;
}

TEST(Progress, PlainModePrintsOneLinePerEpochWithoutEscapes) {
  std::ostringstream out;
  ConsoleProgress progress(out, /*live=*/false);
  ProgressUpdate start = epoch_update();
  start.epoch = 0;
  progress.update(start);  // stage start: nothing in plain mode
  progress.update(epoch_update());
  EXPECT_EQ(out.str(), describe(epoch_update()) + "\n");
}

TEST(Progress, LiveModeRedrawsInPlace) {
  std::ostringstream out;
  ConsoleProgress progress(out, /*live=*/true);
  progress.update(epoch_update());
  progress.update(epoch_update());
  EXPECT_NE(out.str().find("\x1b[1A"), std::string::npos);  // moved up to redraw the line
}

TEST(Progress, SummaryListsEveryRunAndCountsFailures) {
  RunOutcome ok;
  ok.index = 0;
  ok.run_id = "exp-a";
  ok.status = "completed";
  ok.test_accuracy = 0.9;
  ok.test_loss = 0.3;
  ok.active_weights = 50;
  ok.total_weights = 100;
  RunOutcome bad;
  bad.index = 1;
  bad.run_id = "exp-b";
  bad.status = "failed";
  bad.message = "training diverged";
  std::string table = summary_table({ok, bad});
  EXPECT_NE(table.find("exp-a"), std::string::npos);
  EXPECT_NE(table.find("0.9000"), std::string::npos);
  EXPECT_NE(table.find("0.500"), std::string::npos);
  EXPECT_NE(table.find("training diverged"), std::string::npos);
  EXPECT_NE(table.find("2 runs, 1 failed"), std::string::npos) << table;
}

}  // namespace
}  // namespace structlab::run
