// The `structlab` command line: every subcommand, parsed and run; main.cpp only calls it.

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli_main.hpp"
#include "commands.hpp"
#include "standard_output.hpp"
#include "structlab/error.hpp"
#include "structlab/runtime.hpp"
#include "structlab/version.hpp"

namespace structlab::cli {

int main(int argc, char** argv) {
  structlab::retain_freed_memory();
  CLI::App app{"structlab: experiments on the structure of sparse neural networks", "structlab"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", std::string("structlab ") + STRUCTLAB_VERSION);

  structlab::cli::GlobalOptions global;
  app.add_option("--plugin-path", global.plugin_paths,
                 "Extra plugin directory or library (repeatable; STRUCTLAB_PLUGIN_PATH works too)");

  app.add_option("--threads", global.threads, "LibTorch threads (0 = all cores; for `run`: split between --jobs)")
      ->check(CLI::NonNegativeNumber);

  structlab::cli::CommandRunner selected;
  structlab::cli::add_version_command(app, global, selected);
  structlab::cli::add_plugins_command(app, global, selected);
  structlab::cli::add_validate_command(app, global, selected);
  structlab::cli::add_graph_command(app, global, selected);
  structlab::cli::add_extract_command(app, global, selected);
  structlab::cli::add_inspect_command(app, global, selected);
  structlab::cli::add_run_command(app, global, selected);
  structlab::cli::add_status_command(app, global, selected);
  structlab::cli::add_slurm_command(app, global, selected);
  structlab::cli::add_evaluate_command(app, global, selected);
  structlab::cli::add_collect_command(app, global, selected);
  structlab::cli::add_report_command(app, global, selected);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // usage errors: message and usage on stderr, exit status 2 as POSIX utilities do
    std::vector<std::string> unexpected = app.remaining();
    if (!unexpected.empty() && app.get_subcommands().empty()) {
      std::cerr << "error: unknown subcommand '" << unexpected.front() << "'\n\n" << app.help() << std::flush;
    } else {
      std::cerr << "error: " << e.what() << "\n\n" << app.help() << std::flush;
    }
    return 2;
  }

  try {
    if (global.threads > structlab::max_threads()) {
      std::cerr << "note: --threads " << global.threads << " is more than " << structlab::max_threads()
                << " (4 per core); using " << structlab::max_threads() << "\n";
    }
    structlab::set_threads(global.threads);
    int status = selected ? selected() : 0;
    structlab::cli::finish_standard_output();
    return status;
  } catch (const structlab::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    // fmt::print throws std::system_error when stdout's buffer cannot be written: an output error, not a bug
    if (structlab::cli::standard_output_failed()) {
      std::cerr << "error: cannot write to standard output: " << e.what() << "; the output is lost or incomplete\n";
      return 1;
    }
    std::cerr << "internal error: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace structlab::cli
