#pragma once
/// \file
/// The sbatch scripts `structlab slurm` writes: an array job that runs one chunk of run ids per task, and a
/// job that gathers the results once the array has ended. Text only: submitting is the CLI's business.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace structlab::run {

/// What the user asks of the cluster; empty strings are left out of the script (the cluster's defaults).
struct SlurmOptions {
  std::string partition;      ///< --partition
  std::string account;        ///< --account
  std::string qos;            ///< --qos
  std::string time;           ///< --time, in one of Slurm's formats (minutes, MM:SS, HH:MM:SS, D-HH[:MM[:SS]])
  int cpus_per_task = 1;      ///< --cpus-per-task, also each run's LibTorch threads
  std::string mem;            ///< --mem: a whole number with an optional K, M, G or T suffix
  std::string gpus;           ///< --gpus: a count, or TYPE:COUNT
  int max_parallel = 0;       ///< the `%K` of --array: at most K tasks at once (0: no limit)
  int array_chunk = 1;        ///< runs per array task, run one after the other
  int signal_seconds = 300;   ///< USR1 to the batch shell this long before the time limit
  std::string job_name;       ///< --job-name (default: structlab-<experiment>)
};

/// Checks \p options, throwing ConfigError that names the option, the value and what was expected.
void validate_slurm_options(const SlurmOptions& options);

/// \p text as one bash word: as it is when made of plain characters, else in single quotes (a single quote
/// inside written as '\\'').
std::string shell_word(const std::string& text);

/// Seconds of a Slurm time limit ("90" minutes, "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM", "D-HH:MM:SS");
/// -1 when \p text is none of these, 0 for "0", "infinite" or "unlimited" (no limit).
std::int64_t slurm_time_seconds(const std::string& text);

/// One run of the array: its id (its resolved spec is `<spec_dir>/<run-id>.yaml`) and what it is.
struct SlurmRun {
  std::string run_id;               ///< run id
  std::string description;          ///< "seed=1 training.lr=0.01", shown beside it in the script
};

/// Everything the array script needs besides the options.
struct SlurmArrayJob {
  std::string experiment;                         ///< experiment name
  std::string source_spec;                        ///< the spec as submitted (for the header)
  std::vector<std::string> overrides;             ///< its --set items (for the header)
  std::filesystem::path structlab;                ///< the structlab program the tasks run (absolute)
  std::vector<std::filesystem::path> plugin_paths;  ///< passed as --plugin-path
  std::filesystem::path out_dir;                  ///< `structlab run --out` (absolute)
  std::filesystem::path work_dir;                 ///< --chdir: where the tasks run (absolute)
  std::filesystem::path log_dir;                  ///< task logs `<experiment>_%A_%a.out` go here (absolute)
  std::filesystem::path spec_dir;                 ///< the pinned `<run-id>.yaml` one-run specs (absolute)
  std::string checkpoint_every = "10m";           ///< `structlab run --checkpoint-every`
  std::vector<SlurmRun> runs;                     ///< the runs to submit, in run-list order
  std::string written_at;                         ///< when, for the header (UTC)
};

/// The runs of each array task: consecutive chunks of options.array_chunk runs.
std::vector<std::vector<const SlurmRun*>> array_tasks(const SlurmArrayJob& job, const SlurmOptions& options);

/// The `--array` value: "0-<tasks-1>" with "%K" when options.max_parallel limits it.
std::string array_range(std::size_t tasks, const SlurmOptions& options);

/// The bash text of the array job. Each task prints slurm_log_marker() and runs
/// `structlab --threads C run SPEC --run-id ID --out OUT` for each of its runs; it forwards USR1 and TERM to the
/// run, which checkpoints and exits 75; after USR1 (the time-limit warning) it requeues itself with
/// `scontrol requeue $SLURM_JOB_ID`, after TERM (scancel, preemption, `scontrol requeue`) it lets Slurm decide.
std::string slurm_array_script(const SlurmArrayJob& job, const SlurmOptions& options);

/// The bash text of the job that runs `structlab collect` and `structlab report` over the experiment's folder
/// once the array has ended (submitted with --dependency=afterany:<array job>), writing `results.csv`,
/// `results.json` and `report.html` into \p experiment_dir.
std::string slurm_gather_script(const SlurmArrayJob& job, const SlurmOptions& options,
                                const std::filesystem::path& experiment_dir);

}  // namespace structlab::run
