// The sbatch scripts of `structlab slurm`: the array job and the job that gathers its results.

#include "structlab/run/slurm_script.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "structlab/error.hpp"
#include "structlab/run/sweep_status.hpp"

namespace structlab::run {
namespace fs = std::filesystem;

namespace {

// \p text for a comment line: a line break in it (a grid value, an override) would end the comment.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A value that goes on an #SBATCH line: one word, no quotes, no comment sign.
void check_word(const std::string& option, const std::string& value) {
  if (value.empty()) return;
  for (char c : value) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '\'' || c == '"' || c == '#' || c == '\\' ||
        c == '$' || c == '`') {
      throw ConfigError(fmt::format("--{} '{}': expected one word without spaces, quotes, '#', '$' or '\\'",
                                    option, value));
    }
  }
}

// A path on an #SBATCH line: sbatch takes a "double-quoted" argument, so a path with spaces is quoted; a path
// that sbatch would read otherwise (a double quote, a line break, Slurm's '%' and '\\' file name patterns) is refused.
std::string sbatch_path(const std::string& option, const fs::path& path) {
  const std::string text = path.string();
  for (char c : text) {
    if (c == '"' || c == '\n' || c == '\r' || c == '%' || c == '\\') {
      throw ConfigError(fmt::format("{} '{}': a path for an #SBATCH line cannot hold a double quote, a line break, "
                                    "'%' or '\\'; choose another folder",
                                    option, text));
    }
  }
  const bool spaced = std::any_of(text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
  return spaced ? "\"" + text + "\"" : text;
}

// The --output of a job: the log folder checked, then Slurm's file name pattern appended.
std::string sbatch_log_path(const SlurmArrayJob& job, const std::string& pattern) {
  std::string folder = sbatch_path("--out", job.log_dir / job.experiment);
  if (folder.front() == '"') return folder.substr(0, folder.size() - 1) + pattern + "\"";
  return folder + pattern;
}

std::string quoted_paths_option(const std::vector<fs::path>& paths) {
  std::string text;
  for (const auto& path : paths) text += " --plugin-path " + shell_word(path.string());
  return text;
}

// #SBATCH lines every job of the sweep shares: where it runs and on which account.
std::string common_directives(const SlurmOptions& options) {
  std::string text;
  if (!options.partition.empty()) text += "#SBATCH --partition=" + options.partition + "\n";
  if (!options.account.empty()) text += "#SBATCH --account=" + options.account + "\n";
  if (!options.qos.empty()) text += "#SBATCH --qos=" + options.qos + "\n";
  if (!options.time.empty()) text += "#SBATCH --time=" + options.time + "\n";
  return text;
}

}  // namespace

std::string shell_word(const std::string& text) {
  bool plain = !text.empty();
  for (char c : text) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '_' || c == '-' ||
          c == '=' || c == ':' || c == ',' || c == '+' || c == '%' || c == '@')) {
      plain = false;
    }
  }
  if (plain) return text;
  // single quotes closed and reopened around each single quote
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::int64_t slurm_time_seconds(const std::string& text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "infinite" || lower == "unlimited") return 0;
  std::int64_t days = 0;
  std::string rest = text;
  const auto dash = text.find('-');
  if (dash != std::string::npos) {
    if (!all_digits(text.substr(0, dash))) return -1;
    days = std::stoll(text.substr(0, dash));
    rest = text.substr(dash + 1);
  }
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto colon = rest.find(':', start);
    parts.push_back(rest.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() > 3) return -1;
  std::vector<std::int64_t> values;
  for (const auto& part : parts) {
    if (!all_digits(part) || part.size() > 9) return -1;
    values.push_back(std::stoll(part));
  }
  if (dash != std::string::npos) {
    // D-HH, D-HH:MM, D-HH:MM:SS
    std::int64_t seconds = days * 86400 + values[0] * 3600;
    if (values.size() > 1) seconds += values[1] * 60;
    if (values.size() > 2) seconds += values[2];
    return seconds;
  }
  if (values.size() == 1) return values[0] * 60;                // minutes
  if (values.size() == 2) return values[0] * 60 + values[1];    // MM:SS
  return values[0] * 3600 + values[1] * 60 + values[2];         // HH:MM:SS
}

void validate_slurm_options(const SlurmOptions& options) {
  check_word("partition", options.partition);
  check_word("account", options.account);
  check_word("qos", options.qos);
  check_word("job-name", options.job_name);
  if (options.cpus_per_task < 1) {
    throw ConfigError(fmt::format("--cpus-per-task {}: expected a whole number of at least 1", options.cpus_per_task));
  }
  if (options.max_parallel < 0) {
    throw ConfigError(fmt::format("--max-parallel {}: expected a whole number of at least 1 (tasks at once)",
                                  options.max_parallel));
  }
  if (options.array_chunk < 1) {
    throw ConfigError(fmt::format("--array-chunk {}: expected a whole number of at least 1 (runs per task)",
                                  options.array_chunk));
  }
  if (options.signal_seconds < 1 || options.signal_seconds > 65535) {
    throw ConfigError(fmt::format("--signal-before {}: expected seconds from 1 to 65535 (Slurm's limit)",
                                  options.signal_seconds));
  }
  if (!options.time.empty()) {
    const std::int64_t seconds = slurm_time_seconds(options.time);
    if (seconds < 0) {
      throw ConfigError(fmt::format("--time '{}': expected a Slurm time limit: minutes, MM:SS, HH:MM:SS, D-HH, "
                                    "D-HH:MM or D-HH:MM:SS (e.g. 90, 2:00:00, 1-12:00)",
                                    options.time));
    }
    if (seconds > 0 && seconds <= options.signal_seconds) {
      throw ConfigError(fmt::format("--time {} is {} s, not more than --signal-before {} s: the warning signal "
                                    "would come before the run starts; give a longer --time or a shorter "
                                    "--signal-before",
                                    options.time, seconds, options.signal_seconds));
    }
  }
  if (!options.mem.empty()) {
    std::string digits = options.mem;
    const char last = static_cast<char>(std::toupper(static_cast<unsigned char>(digits.back())));
    if (last == 'K' || last == 'M' || last == 'G' || last == 'T') digits.pop_back();
    if (!all_digits(digits) || std::stoll(digits.substr(0, 12)) == 0) {
      throw ConfigError(fmt::format("--mem '{}': expected a positive whole number with an optional K, M, G or T "
                                    "suffix (e.g. 4G, 500M; megabytes without one)",
                                    options.mem));
    }
  }
  if (!options.gpus.empty()) {
    const auto colon = options.gpus.rfind(':');
    const std::string count = colon == std::string::npos ? options.gpus : options.gpus.substr(colon + 1);
    const std::string type = colon == std::string::npos ? "" : options.gpus.substr(0, colon);
    bool type_ok = colon == std::string::npos || !type.empty();
    for (char c : type) {
      type_ok = type_ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ':');
    }
    if (!all_digits(count) || count.size() > 6 || std::stoll(count) == 0 || !type_ok) {
      throw ConfigError(fmt::format("--gpus '{}': expected a GPU count of at least 1, or TYPE:COUNT (e.g. 1, a100:2)",
                                    options.gpus));
    }
  }
}

std::vector<std::vector<const SlurmRun*>> array_tasks(const SlurmArrayJob& job, const SlurmOptions& options) {
  std::vector<std::vector<const SlurmRun*>> tasks;
  const std::size_t chunk = static_cast<std::size_t>(std::max(1, options.array_chunk));
  for (std::size_t i = 0; i < job.runs.size(); ++i) {
    if (i % chunk == 0) tasks.emplace_back();
    tasks.back().push_back(&job.runs[i]);
  }
  return tasks;
}

std::string array_range(std::size_t tasks, const SlurmOptions& options) {
  std::string range = tasks <= 1 ? "0" : fmt::format("0-{}", tasks - 1);
  if (options.max_parallel > 0) range += fmt::format("%{}", options.max_parallel);
  return range;
}

std::string slurm_array_script(const SlurmArrayJob& job, const SlurmOptions& options) {
  const auto tasks = array_tasks(job, options);
  const std::string job_name = options.job_name.empty() ? "structlab-" + job.experiment : options.job_name;
  std::string set_items;
  for (const auto& item : job.overrides) set_items += " --set " + shell_word(item);

  std::string s = "#!/bin/bash\n";
  s += fmt::format("# structlab sweep \"{}\": {} run{} in {} array task{} ({} per task){}.\n", job.experiment,
                   job.runs.size(), job.runs.size() == 1 ? "" : "s", tasks.size(), tasks.size() == 1 ? "" : "s",
                   std::max(1, options.array_chunk),
                   options.max_parallel > 0 ? fmt::format(", at most {} at once", options.max_parallel) : "");
  s += fmt::format("# Written by `structlab slurm {}{}` at {}.\n", one_line(job.source_spec), one_line(set_items),
                   job.written_at);
  s += "# Each run's resolved spec is pinned in " + job.spec_dir.string() +
       "/<run-id>.yaml: editing the spec\n"
       "# after submitting changes nothing here. `structlab status SPEC` shows where each run stands; submitting\n"
       "# again with `structlab slurm` leaves out the runs already complete.\n"
       "#\n"
       "# Time limit and preemption: Slurm sends USR1 to this script " +
       std::to_string(options.signal_seconds) +
       " s before the time limit (--signal); the script\n"
       "# hands it to the run, which saves a checkpoint and exits 75, and the task requeues itself (--requeue,\n"
       "# scontrol requeue). A TERM (preemption, `scontrol requeue`, scancel) reaches the run too, which also\n"
       "# checkpoints; Slurm then requeues or cancels the task as it decided. A requeued task resumes its runs\n"
       "# from their checkpoints. Logs: one per task, appended to across requeues.\n";
  s += "#SBATCH --job-name=" + job_name + "\n";
  s += "#SBATCH --array=" + array_range(tasks.size(), options) + "\n";
  s += "#SBATCH --requeue\n";
  s += fmt::format("#SBATCH --signal=B:USR1@{}\n", options.signal_seconds);
  s += "#SBATCH --open-mode=append\n";
  s += "#SBATCH --output=" + sbatch_log_path(job, "_%A_%a.out") + "\n";
  s += "#SBATCH --chdir=" + sbatch_path("the current folder", job.work_dir) + "\n";
  s += fmt::format("#SBATCH --cpus-per-task={}\n", options.cpus_per_task);
  s += common_directives(options);
  if (!options.mem.empty()) s += "#SBATCH --mem=" + options.mem + "\n";
  if (!options.gpus.empty()) s += "#SBATCH --gpus=" + options.gpus + "\n";
  s += "set -u\n\n";
  s += "structlab=" + shell_word(job.structlab.string()) + "\n";
  s += "out=" + shell_word(job.out_dir.string()) + "\n";
  s += fmt::format("threads={}\n\n", options.cpus_per_task);
  s += "specs=" + shell_word(job.spec_dir.string()) + "  # <run-id>.yaml: each run's resolved spec\n\n";
  s += "# the run ids of each array task\n";
  s += "tasks=(\n";
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    std::string line;
    for (const SlurmRun* run : tasks[t]) line += (line.empty() ? "" : " ") + run->run_id;
    s += "  " + shell_word(line) + "\n";
  }
  s += ")\n";
  s += "# task: run id: what it is\n";
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    for (const SlurmRun* run : tasks[t]) s += fmt::format("#   {}: {}: {}\n", t, run->run_id, one_line(run->description));
  }
  s += R"SH(
signal=""
run_pid=0
pass_on() {  # remember the signal and hand it to the running `structlab run`, which checkpoints and exits 75
  signal=$1
  if [ "$run_pid" -ne 0 ]; then kill -s "$1" "$run_pid" 2>/dev/null; fi
}
trap 'pass_on USR1' USR1
trap 'pass_on TERM' TERM

task=${SLURM_ARRAY_TASK_ID:?this script runs as a Slurm array task}
failed=0
interrupted=0
for run_id in ${tasks[$task]}; do
  if [ -n "$signal" ]; then interrupted=1; break; fi
  echo ")SH" + slurm_log_marker("") + R"SH($run_id task ${SLURM_ARRAY_JOB_ID:-?}_$task job ${SLURM_JOB_ID:-?} on $(hostname), restart ${SLURM_RESTART_COUNT:-0}, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  "$structlab" --threads "$threads")SH" +
       quoted_paths_option(job.plugin_paths) + R"SH( run "$specs/$run_id.yaml" --run-id "$run_id" --out "$out" --checkpoint-every )SH" +
       shell_word(job.checkpoint_every) + R"SH( &
  run_pid=$!
  # a signal that came between the check above and this line would otherwise never reach the run
  if [ -n "$signal" ]; then kill -s "$signal" "$run_pid" 2>/dev/null; fi
  # a trapped signal ends `wait` early: wait until the run has ended, then take its exit status
  while kill -0 "$run_pid" 2>/dev/null; do wait "$run_pid"; done
  wait "$run_pid"
  status=$?
  run_pid=0
  case $status in
    0) ;;
    75) interrupted=1; break ;;
    *) echo "structlab-slurm: run $run_id failed (exit status $status)"; failed=1 ;;
  esac
done

if [ "$interrupted" = 1 ]; then
  if [ "$signal" = USR1 ]; then
    echo "structlab-slurm: the time limit is near: requeueing job $SLURM_JOB_ID; its runs resume from their checkpoints"
    if scontrol requeue "$SLURM_JOB_ID"; then exit 0; fi
    echo "structlab-slurm: scontrol requeue failed; submit again with \`structlab slurm\` to resume from the checkpoints"
  else
    echo "structlab-slurm: stopped by ${signal:-a signal}; the checkpoints stay for the next attempt"
  fi
  exit 75
fi
exit $failed
)SH" "\n";
  return s;
}

std::string slurm_gather_script(const SlurmArrayJob& job, const SlurmOptions& options,
                                const fs::path& experiment_dir) {
  const std::string job_name =
      (options.job_name.empty() ? "structlab-" + job.experiment : options.job_name) + "-collect";
  std::string s = "#!/bin/bash\n";
  s += fmt::format("# structlab sweep \"{}\": gathers the results once its array job has ended\n", job.experiment);
  s += "# (submitted with --dependency=afterany:<array job>): one table (results.csv, results.json) and one\n"
       "# report (report.html) of every run archive under " +
       experiment_dir.string() + ".\n";
  s += "#SBATCH --job-name=" + job_name + "\n";
  s += "#SBATCH --open-mode=append\n";
  s += "#SBATCH --output=" + sbatch_log_path(job, "_collect_%j.out") + "\n";
  s += "#SBATCH --chdir=" + sbatch_path("the current folder", job.work_dir) + "\n";
  s += "#SBATCH --cpus-per-task=1\n";
  s += common_directives(options);
  s += "set -eu\n\n";
  s += "structlab=" + shell_word(job.structlab.string()) + "\n";
  s += "dir=" + shell_word(experiment_dir.string()) + "\n\n";
  s += R"SH("$structlab" --threads 1 collect "$dir" -o "$dir/results.csv"
"$structlab" --threads 1 collect "$dir" --format json -o "$dir/results.json"
"$structlab" --threads 1 report "$dir" -o "$dir/report.html"
)SH";
  return s;
}

}  // namespace structlab::run
