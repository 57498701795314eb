// `structlab collect` on real runs: CSV that pandas (Debian's python3-pandas) reads with the right types,
// JSON,
// --stages last, failed runs and files that are no archives.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "integration/results_sweeps.hpp"
#include "support/run_process.hpp"
#include "unit/results/collect_samples.hpp"

namespace structlab {
namespace {

using testing::make_temp_dir;
using testing::run_process;
using testing::run_structlab;

const char* kPython = "/usr/bin/python3";

// One pruned sweep (4 runs x 3 stages), one failed archive written directly, and a file that is no archive.
class CollectCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(make_temp_dir("collect-cli"));
    std::string csv = testing::write_classification_csv(*dir_);
    auto run = testing::run_spec(*dir_, "pruned", testing::pruned_sweep_spec(csv));
    ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
    testing::SampleRun failed;
    failed.run_id = "pruned-00000000ff";
    failed.spec = "experiment: pruned\nseeds: [9]\ntraining:\n  lr: 0.05\n";
    failed.status = "failed";
    failed.message = "training diverged: loss is NaN, in epoch 1";
    failed.stages = 0;
    testing::write_sample_run(*dir_ + "/runs/failed/pruned-00000000ff.h5", failed);
    std::ofstream(*dir_ + "/runs/failed/notes.h5") << "not an archive";
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string* dir_;
};
std::string* CollectCli::dir_ = nullptr;

TEST_F(CollectCli, PandasReadsTheCsvWithItsTypes) {
  auto probe = run_process(std::string(kPython) + " -c 'import pandas'");
  ASSERT_EQ(probe.exit_code, 0) << "python3-pandas is needed (bash tools/setup.sh): " << probe.err;
  std::string table = *dir_ + "/table.csv";
  auto collect = run_structlab(fmt::format("collect {}/runs -o {}", *dir_, table));
  ASSERT_EQ(collect.exit_code, 0) << collect.err;
  EXPECT_NE(collect.err.find("notes.h5"), std::string::npos) << "the non-archive is named: " << collect.err;
  std::ofstream(*dir_ + "/check.py") << R"(import sys, pandas
df = pandas.read_csv(sys.argv[1])
print(len(df), len(df.columns))
print(list(df.columns[:8]))
for column in ["seed", "training.epochs", "training.lr", "test_accuracy", "density", "stage", "final_epoch",
               "status", "message", "pruning.schedule.kind"]:
    print(column, df[column].dtype)
failed = df[df.status == "failed"]
print("failed", len(failed), failed.message.iloc[0])
print("stages", sorted(df[df.status == "completed"].stage.astype(int).unique().tolist()))
print("grid", sorted(df.grid_point.dropna().unique().tolist()))
)";
  auto result = run_process(fmt::format("{} {}/check.py {}", kPython, *dir_, table));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string expected = R"(13 )";  // 4 runs x 3 stages + the failed run's one row
  EXPECT_EQ(result.out.rfind(expected, 0), 0u) << result.out;
  EXPECT_NE(result.out.find(
                "['run_id', 'experiment', 'seed', 'status', 'message', 'spec_hash', 'grid_point', 'path']"),
            std::string::npos)
      << result.out;
  for (const char* line :
       {"seed int64", "training.epochs float64", "training.lr float64", "test_accuracy float64",
        "density float64", "stage float64", "final_epoch float64", "status object", "message object",
        "pruning.schedule.kind object", "failed 1 training diverged: loss is NaN, in epoch 1",
        "stages [0, 1, 2]", "grid ['training.lr=0.01', 'training.lr=0.05']"}) {
    EXPECT_NE(result.out.find(line), std::string::npos) << "missing '" << line << "' in\n" << result.out;
  }
}

TEST_F(CollectCli, CompletedRunsAloneGiveIntegerColumns) {
  std::string table = *dir_ + "/completed.csv";
  auto collect = run_structlab(fmt::format("collect {}/runs/pruned -o {}", *dir_, table));
  ASSERT_EQ(collect.exit_code, 0) << collect.err;
  auto result =
      run_process(fmt::format("{} -c 'import pandas; df = pandas.read_csv(\"{}\"); print(len(df), "
                              "df.stage.dtype, df.final_epoch.dtype, "
                              "df[\"training.epochs\"].dtype)'",
                              kPython, table));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "12 int64 int64 int64\n");
}

TEST_F(CollectCli, JsonAndLastStageOnly) {
  auto collect = run_structlab(fmt::format("collect {}/runs --format json --stages last", *dir_));
  ASSERT_EQ(collect.exit_code, 0) << collect.err;
  nlohmann::json document = nlohmann::json::parse(collect.out);
  ASSERT_EQ(document["rows"].size(), 5u);
  for (const auto& row : document["rows"]) {
    if (row["status"] == "completed") {
      EXPECT_EQ(row["stage"], 2);
      EXPECT_LT(row["density"].get<double>(), 1.0);
    }
  }
  bool lr_is_grid = false;
  for (const auto& column : document["columns"]) {
    if (column["name"] == "training.lr") lr_is_grid = column["grid"].get<bool>();
  }
  EXPECT_TRUE(lr_is_grid);
  ASSERT_EQ(document["warnings"].size(), 1u);
  EXPECT_NE(document["warnings"][0].get<std::string>().find("notes.h5"), std::string::npos);

  auto lines = run_structlab(fmt::format("collect {}/runs --format jsonl", *dir_));
  ASSERT_EQ(lines.exit_code, 0) << lines.err;
  std::istringstream in(lines.out);
  std::string line;
  int count = 0;
  while (std::getline(in, line)) {
    EXPECT_TRUE(nlohmann::json::parse(line).contains("run_id"));
    ++count;
  }
  EXPECT_EQ(count, 13);
}

TEST_F(CollectCli, AMissingPathIsAnErrorNamingIt) {
  auto collect = run_structlab(fmt::format("collect {}/nowhere", *dir_));
  EXPECT_EQ(collect.exit_code, 1);
  EXPECT_NE(collect.err.find("nowhere: no such file or folder"), std::string::npos) << collect.err;
  auto format = run_structlab(fmt::format("collect {}/runs --format xlsx", *dir_));
  EXPECT_EQ(format.exit_code, 2) << format.err;
}

}  // namespace
}  // namespace structlab
