#pragma once
// The subcommands of the `structlab` program. Each add_* function declares its options on the app and,
// when the subcommand is chosen, stores what to run in `selected`.

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <functional>
#include <vector>

namespace structlab::cli {

/// What the chosen subcommand does once parsing is over; returns the exit status.
using CommandRunner = std::function<int()>;

/// Options every subcommand shares.
struct GlobalOptions {
  std::vector<std::filesystem::path> plugin_paths;  ///< extra plugin directories or files
  int threads = 0;                                  ///< LibTorch threads; 0 = all cores (or the spec's, for `run`)
};

/// `--checkpoint-every` text ("90", "90s", "10m", "10min", "2h"; "0": none) in seconds; throws ConfigError
/// naming the option and the accepted forms for anything else (signs, spaces, other units, over 9 digits).
std::chrono::seconds parse_duration(const std::string& text);

/// `structlab version`: structlab, plugin API, LibTorch, BLAS and threads.
void add_version_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected);
/// `structlab plugins [--kind K] [--json]`: the plugins found and their parameters.
void add_plugins_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected);
/// `structlab validate SPEC [--set k=v]`: every problem of a spec, or "SPEC: valid, N runs".
void add_validate_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected);
/// `structlab graph GENERATOR [key=value ...] [--seed S] [--orient O] [--metrics] [--metrics-mode M]
/// [--path-samples N] [--format F] [-o FILE]`, and `structlab graph sample SPEC [--set k=v] [--json]`.
void add_graph_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected);
/// `structlab extract MODEL.pt [--input-shape 1,28,28] [--threshold T] [--metrics] [--metrics-mode M]
/// [--path-samples N] [--format F] [-o FILE]`: the neuron and channel graph of a TorchScript model.
void add_extract_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected);
/// `structlab inspect RUN.h5 [--json]`: a run archive's spec summary, structure, stages and history.
void add_inspect_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected);
/// `structlab evaluate RUN.h5 [--stage NN] [--json]`: recompute archived stages' test metrics; exit 4 when
/// any differs from the recorded value.
void add_evaluate_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected);
/// `structlab run SPEC [--out DIR] [--jobs N] [--run-index I | --run-id ID] [--dry-run] [--force] [--set k=v]`.
void add_run_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected);
/// `structlab status SPEC [--out DIR] [--set k=v] [--json]`: each run completed, running, interrupted, failed or
/// not started, with counts.
void add_status_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected);
/// `structlab slurm SPEC [--out DIR] [--set k=v] [--dry-run] [cluster options] [-- SBATCH-ARGS]`: the sweep as
/// a Slurm array job plus a job that gathers its results.
void add_slurm_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected);
/// `structlab collect PATH... [--format csv|json|jsonl] [-o FILE] [--stages all|last]`: archives as one table.
void add_collect_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected);
/// `structlab report PATH... -o report.html [--title T]`: a self-contained HTML report of the runs.
void add_report_command(CLI::App& app, const GlobalOptions& global, CommandRunner& selected);

}  // namespace structlab::cli
