// `structlab slurm SPEC [--out DIR] [--set k=v] [--dry-run] [cluster options] [-- SBATCH-ARGS]`: submits the runs
// of a spec that are not complete yet as one Slurm array job, and a job that gathers the results after it.

#include <fmt/core.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "structlab/error.hpp"
#include "structlab/run/slurm_script.hpp"
#include "structlab/run/sweep_status.hpp"
#include "structlab/spec/loader.hpp"

namespace structlab::cli {
namespace {
namespace fs = std::filesystem;

struct SlurmCommandOptions {
  std::filesystem::path spec;
  std::filesystem::path out = "runs";
  std::vector<std::string> overrides;
  bool dry_run = false;
  run::SlurmOptions slurm;
  bool cpus_given = false;
  std::string checkpoint_every = "10m";
  std::filesystem::path structlab;
  std::vector<std::string> sbatch_args;
};

// The program at \p name on PATH, or empty.
fs::path find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return {};
}

struct Finished {
  int exit_code = -1;
  std::string out;
};

// Runs \p argv, its standard output captured, its standard error passed through.
Finished run_program(const std::vector<std::string>& argv) {
  int pipe_ends[2];
  if (::pipe(pipe_ends) != 0) throw Error("cannot create a pipe to run " + argv.front());
  std::cout.flush();
  std::cerr.flush();
  const pid_t child = ::fork();
  if (child < 0) throw Error("cannot start " + argv.front());
  if (child == 0) {
    ::dup2(pipe_ends[1], STDOUT_FILENO);
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::execv(args.front(), args.data());
    ::_exit(127);
  }
  ::close(pipe_ends[1]);
  Finished finished;
  char buffer[4096];
  ssize_t got = 0;
  while ((got = ::read(pipe_ends[0], buffer, sizeof(buffer))) > 0) finished.out.append(buffer, static_cast<std::size_t>(got));
  ::close(pipe_ends[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  finished.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return finished;
}

// `sbatch --parsable ...` prints "<job id>" or "<job id>;<cluster>".
std::string submit(const fs::path& sbatch, std::vector<std::string> arguments, const std::string& what) {
  arguments.insert(arguments.begin(), {sbatch.string(), "--parsable"});
  Finished finished = run_program(arguments);
  std::string id = finished.out.substr(0, finished.out.find_first_of(";\n"));
  if (finished.exit_code != 0 || id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
    std::string command;
    for (const auto& argument : arguments) command += (command.empty() ? "" : " ") + argument;
    throw Error(fmt::format("{}: `{}` failed (exit status {}{}); sbatch's own message is above", what, command,
                            finished.exit_code, finished.out.empty() ? "" : ", output: " + finished.out));
  }
  return id;
}

std::string utc_stamp(const char* format) {
  std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof(text), format, std::gmtime(&now));
  return text;
}

void write_text(const fs::path& path, const std::string& text, bool executable) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw ConfigError(fmt::format("--out: cannot write {}", path.string()));
  if (executable) ::chmod(path.c_str(), 0755);
}

// The same durations `structlab run --checkpoint-every` takes: 90, 90s, 10m, 10min, 2h, 0.
fs::path this_program() {
  std::error_code error;
  fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (error) throw Error("cannot find this program's path (/proc/self/exe); give it with --structlab");
  return self;
}

int slurm(const GlobalOptions& global, const SlurmCommandOptions& options) {
  // everything is checked before anything is written or submitted
  spec::ExperimentPlan plan = spec::plan_experiment(options.spec, options.overrides, global.plugin_paths);
  run::SlurmOptions slurm_options = options.slurm;
  if (!options.cpus_given) {
    const int spec_threads = plan.run_count() == 0 ? 0 : static_cast<int>(plan.run_at(0).training.threads);
    slurm_options.cpus_per_task = global.threads > 0 ? global.threads : std::max(1, spec_threads);
  }
  run::validate_slurm_options(slurm_options);
  parse_duration(options.checkpoint_every);  // checked here, used by each task
  const fs::path out_dir = fs::absolute(options.out).lexically_normal();
  const std::vector<run::RunStatus> statuses = run::sweep_status(plan, out_dir);

  run::SlurmArrayJob job;
  job.experiment = plan.experiment;
  job.source_spec = options.spec.string();
  job.overrides = options.overrides;
  job.structlab = options.structlab.empty() ? this_program() : fs::absolute(options.structlab);
  job.plugin_paths = plan.plugin_paths;
  for (auto& path : job.plugin_paths) path = fs::absolute(path);
  job.out_dir = out_dir;
  job.work_dir = fs::current_path();
  const fs::path experiment_dir = out_dir / plan.experiment;
  const fs::path slurm_dir = run::slurm_folder_of(out_dir, plan.experiment);
  job.log_dir = slurm_dir / "logs";
  job.spec_dir = slurm_dir / "specs";
  job.checkpoint_every = options.checkpoint_every;
  job.written_at = utc_stamp("%Y-%m-%dT%H:%M:%SZ");
  std::size_t completed = 0, running = 0, invalid = 0;
  std::vector<spec::RunSpec> pending;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    if (statuses[i].state == run::RunState::completed) {
      ++completed;
      continue;
    }
    if (statuses[i].state == run::RunState::running) ++running;
    try {
      pending.push_back(plan.run_at(i));
    } catch (const ConfigError& e) {
      // a large grid's combination that is invalid only together: nothing to submit, said below
      if (invalid++ == 0) std::cerr << "note: left out, invalid: " << e.what() << "\n";
      continue;
    }
    const spec::RunSpec& run = pending.back();
    run::SlurmRun slurm_run;
    slurm_run.run_id = run.run_id;
    slurm_run.description = fmt::format("seed={}", run.seed);
    for (const auto& [key, value] : run.grid_point) slurm_run.description += " " + key + "=" + value;
    job.runs.push_back(slurm_run);
  }
  if (invalid > 0) {
    std::cerr << fmt::format("note: {} run{} of the grid {} invalid combinations of values and {} left out\n",
                             invalid, invalid == 1 ? "" : "s", invalid == 1 ? "is an" : "are", invalid == 1 ? "is" : "are");
  }
  if (pending.empty()) {
    fmt::print("{}: all {} runs are complete in {}; nothing to submit\n", plan.experiment, plan.run_count() - invalid,
               experiment_dir.string());
    return 0;
  }
  fs::path sbatch;
  if (!options.dry_run) {
    sbatch = find_on_path("sbatch");
    if (sbatch.empty()) {
      throw ConfigError("sbatch not found on PATH: `structlab slurm` submits through Slurm's sbatch, so run it "
                        "where Slurm's commands are (a cluster's login node), or add --dry-run to write and "
                        "print the script without submitting");
    }
  }

  // the scripts are written in memory first: a path they cannot hold is refused before any file is made
  const std::string script_text = run::slurm_array_script(job, slurm_options);
  const std::string gather_text = run::slurm_gather_script(job, slurm_options, experiment_dir);
  std::error_code error;
  fs::create_directories(job.spec_dir, error);
  if (!error) fs::create_directories(job.log_dir, error);
  if (error) throw ConfigError(fmt::format("--out: cannot create {}: {}", slurm_dir.string(), error.message()));
  for (const spec::RunSpec& run : pending) write_text(job.spec_dir / (run.run_id + ".yaml"), run.canonical_yaml, false);
  const std::string stamp = utc_stamp("%Y%m%dT%H%M%SZ");
  fs::path script = slurm_dir / fmt::format("{}-{}.sbatch", plan.experiment, stamp);
  for (int n = 2; fs::exists(script, error); ++n) script = slurm_dir / fmt::format("{}-{}-{}.sbatch", plan.experiment, stamp, n);
  fs::path gather_script = script;
  gather_script.replace_extension();
  gather_script += "-collect.sbatch";
  write_text(script, script_text, true);
  write_text(gather_script, gather_text, true);

  const std::size_t tasks = run::array_tasks(job, slurm_options).size();
  const std::string summary = fmt::format(
      "{}: {} of {} runs to submit ({} complete{}) in {} array task{}", plan.experiment, pending.size(),
      plan.run_count(), completed, running ? fmt::format(", {} running now", running) : "", tasks,
      tasks == 1 ? "" : "s");
  if (options.dry_run) {
    fmt::print("# {}\n{}\n# {}\n{}\n", script.string(), script_text, gather_script.string(), gather_text);
    std::cerr << summary << "\ndry run: scripts written, nothing submitted\n";
    return 0;
  }
  std::vector<std::string> arguments = options.sbatch_args;
  arguments.push_back(script.string());
  const std::string array_id = submit(sbatch, arguments, "submitting the array job");
  fmt::print("{}\nsubmitted array job {}\n  script {}\n  logs   {}/{}_{}_<task>.out\n", summary, array_id,
             script.string(), job.log_dir.string(), plan.experiment, array_id);
  std::cout.flush();
  std::vector<std::string> gather_arguments = {"--dependency=afterany:" + array_id, "--kill-on-invalid-dep=yes"};
  gather_arguments.insert(gather_arguments.end(), options.sbatch_args.begin(), options.sbatch_args.end());
  gather_arguments.push_back(gather_script.string());
  std::string gather_id;
  try {
    gather_id = submit(sbatch, gather_arguments, "submitting the collect job");
  } catch (const Error& e) {
    throw Error(fmt::format("{}; the array job {} is submitted: once it ends, gather its results with "
                            "`sbatch --dependency=afterany:{} {}` or `structlab collect` and `structlab report`",
                            e.what(), array_id, array_id, gather_script.string()));
  }
  // the same overrides and plugin paths, or status would plan other runs
  std::string status_command = "structlab";
  for (const auto& path : global.plugin_paths) status_command += " --plugin-path " + run::shell_word(path.string());
  status_command += " status " + run::shell_word(options.spec.string()) + " --out " + run::shell_word(options.out.string());
  for (const auto& item : options.overrides) status_command += " --set " + run::shell_word(item);
  fmt::print("submitted job {}: collect and report once the array has ended -> {}/results.csv, report.html\n"
             "follow it with: {}\n",
             gather_id, experiment_dir.string(), status_command);
  return 0;
}

}  // namespace

void add_slurm_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected) {
  auto options = std::make_shared<SlurmCommandOptions>();
  auto* command = app.add_subcommand(
      "slurm", "Submit a spec's runs that are not complete as a Slurm array job, then collect and report");
  command->add_option("spec", options->spec, "Experiment spec (YAML)")->required();
  command->add_option("sbatch-args", options->sbatch_args, "After --: arguments passed to sbatch as they are");
  command->add_option("--out", options->out, "Output directory (archives go to OUT/<experiment>/<run-id>.h5)")
      ->capture_default_str();
  command->add_option("--set", options->overrides, "Override a spec key: --set training.lr=0.01 (repeatable)");
  command->add_flag("--dry-run", options->dry_run, "Write the scripts and print them; submit nothing");
  command->add_option("--partition", options->slurm.partition, "Slurm partition (-p)");
  command->add_option("--account", options->slurm.account, "Slurm account to charge (-A)");
  command->add_option("--qos", options->slurm.qos, "Slurm quality of service");
  command->add_option("--time", options->slurm.time,
                      "Time limit of each array task: minutes, HH:MM:SS or D-HH:MM (the cluster's default if unset)");
  command
      ->add_option_function<int>(
          "--cpus-per-task",
          [options](const int& cpus) {
            options->slurm.cpus_per_task = cpus;
            options->cpus_given = true;
          },
          "CPUs per task, also each run's threads (default: --threads, else the spec's training.threads, else 1)");
  command->add_option("--mem", options->slurm.mem, "Memory per task: 4G, 500M, ...");
  command->add_option("--gpus", options->slurm.gpus, "GPUs per task: a count or TYPE:COUNT");
  command->add_option("--max-parallel", options->slurm.max_parallel, "At most K tasks at once (the %K of --array)");
  command->add_option("--array-chunk", options->slurm.array_chunk, "Runs per array task, one after the other")
      ->capture_default_str();
  command->add_option("--signal-before", options->slurm.signal_seconds,
                      "Seconds before the time limit when a task is told to checkpoint and requeue itself")
      ->capture_default_str();
  command->add_option("--job-name", options->slurm.job_name, "Slurm job name (default: structlab-<experiment>)");
  command->add_option("--checkpoint-every", options->checkpoint_every,
                      "Each run's periodic checkpoints, as for `structlab run`")
      ->capture_default_str();
  command->add_option("--structlab", options->structlab,
                      "The structlab program the tasks run (default: this one)");
  command->callback([&selected, &global, options] {
    selected = [&global, options] { return slurm(global, *options); };
  });
}

}  // namespace structlab::cli
