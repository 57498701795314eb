#include "structlab/run/slurm_script.hpp"

#include <gtest/gtest.h>

#include "structlab/error.hpp"
#include "support/run_process.hpp"

namespace structlab::run {
namespace {

SlurmArrayJob five_runs() {
  SlurmArrayJob job;
  job.experiment = "grid";
  job.source_spec = "configs/grid.yaml";
  job.overrides = {"training.epochs=2"};
  job.structlab = "/opt/structlab/bin/structlab";
  job.plugin_paths = {"/opt/plugins"};
  job.out_dir = "/scratch/runs";
  job.work_dir = "/home/me/project";
  job.log_dir = "/scratch/runs/grid/slurm/logs";
  job.spec_dir = "/scratch/runs/grid/slurm/specs";
  job.checkpoint_every = "5m";
  job.written_at = "2026-01-01T00:00:00Z";
  for (int i = 0; i < 5; ++i) {
    SlurmRun run;
    run.run_id = "grid-000000000" + std::to_string(i);
    run.description = "seed=" + std::to_string(i);
    job.runs.push_back(run);
  }
  return job;
}

using testing::contains;

TEST(SlurmScript, ArrayScriptHasTheDirectivesRunIdsAndRequeueHandling) {
  SlurmOptions options;
  options.partition = "gpu";
  options.account = "lab42";
  options.qos = "normal";
  options.time = "2:00:00";
  options.cpus_per_task = 4;
  options.mem = "8G";
  options.gpus = "a100:1";
  options.max_parallel = 2;
  options.signal_seconds = 240;
  const std::string script = slurm_array_script(five_runs(), options);
  EXPECT_EQ(script.rfind("#!/bin/bash\n", 0), 0u);
  for (const char* line :
       {"#SBATCH --job-name=structlab-grid\n", "#SBATCH --array=0-4%2\n", "#SBATCH --requeue\n",
        "#SBATCH --signal=B:USR1@240\n", "#SBATCH --open-mode=append\n",
        "#SBATCH --output=/scratch/runs/grid/slurm/logs/grid_%A_%a.out\n", "#SBATCH --chdir=/home/me/project\n",
        "#SBATCH --cpus-per-task=4\n", "#SBATCH --partition=gpu\n", "#SBATCH --account=lab42\n",
        "#SBATCH --qos=normal\n", "#SBATCH --time=2:00:00\n", "#SBATCH --mem=8G\n", "#SBATCH --gpus=a100:1\n",
        "structlab=/opt/structlab/bin/structlab\n", "out=/scratch/runs\n", "threads=4\n",
        "  grid-0000000000\n", "  grid-0000000004\n", "scontrol requeue \"$SLURM_JOB_ID\"",
        "trap 'pass_on USR1' USR1", "trap 'pass_on TERM' TERM", "--plugin-path /opt/plugins",
        "run \"$specs/$run_id.yaml\" --run-id \"$run_id\" --out \"$out\" --checkpoint-every 5m",
        "structlab-slurm: run $run_id", "# Written by `structlab slurm configs/grid.yaml --set training.epochs=2`",
        "#   4: grid-0000000004: seed=4\n"}) {
    EXPECT_TRUE(contains(script, line)) << "missing: " << line << "\n" << script;
  }
  // every #SBATCH line comes before the first command, or sbatch ignores it
  const auto last_directive = script.rfind("#SBATCH");
  EXPECT_LT(last_directive, script.find("set -u"));
}

TEST(SlurmScript, UnsetOptionsAreLeftToTheCluster) {
  SlurmOptions options;
  const std::string script = slurm_array_script(five_runs(), options);
  EXPECT_TRUE(contains(script, "#SBATCH --array=0-4\n")) << script;
  for (const char* absent : {"--partition", "--account", "--qos", "--time", "--mem", "--gpus"}) {
    EXPECT_FALSE(contains(script, std::string("#SBATCH ") + absent)) << absent;
  }
}

TEST(SlurmScript, ChunksPutSeveralRunsInOneTask) {
  SlurmOptions options;
  options.array_chunk = 2;
  SlurmArrayJob job = five_runs();
  auto tasks = array_tasks(job, options);
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].size(), 2u);
  EXPECT_EQ(tasks[2].size(), 1u);
  EXPECT_EQ(tasks[2][0]->run_id, "grid-0000000004");
  const std::string script = slurm_array_script(job, options);
  EXPECT_TRUE(contains(script, "#SBATCH --array=0-2\n")) << script;
  EXPECT_TRUE(contains(script, "  'grid-0000000000 grid-0000000001'\n")) << script;
  EXPECT_EQ(array_range(1, options), "0");
  options.max_parallel = 50;
  EXPECT_EQ(array_range(1000, options), "0-999%50");
}

TEST(SlurmScript, GatherScriptCollectsAndReports) {
  SlurmOptions options;
  options.partition = "short";
  const std::string script = slurm_gather_script(five_runs(), options, "/scratch/runs/grid");
  EXPECT_TRUE(contains(script, "#SBATCH --job-name=structlab-grid-collect\n")) << script;
  EXPECT_TRUE(contains(script, "#SBATCH --partition=short\n")) << script;
  EXPECT_TRUE(contains(script, "collect \"$dir\" -o \"$dir/results.csv\"")) << script;
  EXPECT_TRUE(contains(script, "report \"$dir\" -o \"$dir/report.html\"")) << script;
  EXPECT_TRUE(contains(script, "dir=/scratch/runs/grid\n")) << script;
}

TEST(SlurmScript, PathsWithSpacesAreQuoted) {
  SlurmArrayJob job = five_runs();
  job.structlab = "/opt/my tools/structlab";
  const std::string script = slurm_array_script(job, SlurmOptions{});
  EXPECT_TRUE(contains(script, "structlab='/opt/my tools/structlab'\n")) << script;
}

TEST(SlurmScript, SbatchLinePathsWithSpacesAreDoubleQuotedAndUnreadableOnesRefused) {
  SlurmArrayJob job = five_runs();
  job.work_dir = "/home/me/my project";
  job.log_dir = "/scratch/my runs/grid/slurm/logs";
  const std::string script = slurm_array_script(job, SlurmOptions{});
  EXPECT_TRUE(contains(script, "#SBATCH --output=\"/scratch/my runs/grid/slurm/logs/grid_%A_%a.out\"\n")) << script;
  EXPECT_TRUE(contains(script, "#SBATCH --chdir=\"/home/me/my project\"\n")) << script;
  const std::string gather = slurm_gather_script(job, SlurmOptions{}, "/scratch/my runs/grid");
  EXPECT_TRUE(contains(gather, "#SBATCH --output=\"/scratch/my runs/grid/slurm/logs/grid_collect_%j.out\"\n"))
      << gather;
  for (const char* bad : {"/scratch/100%/logs", "/scratch/a\"b/logs", "/scratch/a\\b/logs"}) {
    job.log_dir = bad;
    try {
      slurm_array_script(job, SlurmOptions{});
      ADD_FAILURE() << "accepted " << bad;
    } catch (const ConfigError& e) {
      EXPECT_TRUE(contains(e.what(), "cannot hold a double quote")) << e.what();
      EXPECT_TRUE(contains(e.what(), bad)) << e.what();
    }
  }
}

TEST(SlurmTime, ParsesEverySlurmFormat) {
  EXPECT_EQ(slurm_time_seconds("90"), 90 * 60);
  EXPECT_EQ(slurm_time_seconds("10:30"), 630);
  EXPECT_EQ(slurm_time_seconds("2:00:00"), 7200);
  EXPECT_EQ(slurm_time_seconds("1-12"), 86400 + 12 * 3600);
  EXPECT_EQ(slurm_time_seconds("1-00:30"), 86400 + 1800);
  EXPECT_EQ(slurm_time_seconds("2-01:00:05"), 2 * 86400 + 3605);
  EXPECT_EQ(slurm_time_seconds("UNLIMITED"), 0);
  for (const char* bad : {"", "1h", "1:2:3:4", "a-1", "-5", "1.5", "1-"}) EXPECT_EQ(slurm_time_seconds(bad), -1) << bad;
}

std::string error_of(const SlurmOptions& options) {
  try {
    validate_slurm_options(options);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(SlurmOptionsCheck, BadValuesAreNamedWithWhatWasExpected) {
  EXPECT_EQ(error_of(SlurmOptions{}), "");
  SlurmOptions options;
  options.time = "3 hours";
  EXPECT_TRUE(contains(error_of(options), "--time '3 hours': expected a Slurm time limit")) << error_of(options);
  options = SlurmOptions{};
  options.time = "4:00";  // 240 s, not more than the 300 s warning
  EXPECT_TRUE(contains(error_of(options), "--signal-before")) << error_of(options);
  options = SlurmOptions{};
  options.mem = "lots";
  EXPECT_TRUE(contains(error_of(options), "--mem 'lots': expected a positive whole number")) << error_of(options);
  options.mem = "16G";
  EXPECT_EQ(error_of(options), "");
  options.gpus = "0";
  EXPECT_TRUE(contains(error_of(options), "--gpus '0': expected a GPU count")) << error_of(options);
  options.gpus = "v100:2";
  EXPECT_EQ(error_of(options), "");
  options = SlurmOptions{};
  options.array_chunk = 0;
  EXPECT_TRUE(contains(error_of(options), "--array-chunk 0: expected a whole number of at least 1")) << error_of(options);
  options = SlurmOptions{};
  options.max_parallel = -1;
  EXPECT_TRUE(contains(error_of(options), "--max-parallel -1")) << error_of(options);
  options = SlurmOptions{};
  options.cpus_per_task = 0;
  EXPECT_TRUE(contains(error_of(options), "--cpus-per-task 0")) << error_of(options);
  options = SlurmOptions{};
  options.partition = "gpu long";
  EXPECT_TRUE(contains(error_of(options), "--partition 'gpu long': expected one word")) << error_of(options);
  options = SlurmOptions{};
  options.signal_seconds = 70000;
  EXPECT_TRUE(contains(error_of(options), "--signal-before 70000")) << error_of(options);
}

}  // namespace
}  // namespace structlab::run
