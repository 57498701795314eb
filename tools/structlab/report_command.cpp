// `structlab report PATH... -o report.html [--title T]`: one self-contained HTML page of the runs under the
// paths (README: Results).

#include <fmt/core.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "structlab/error.hpp"
#include "structlab/results/collected_run.hpp"
#include "structlab/results/html_report.hpp"

namespace structlab::cli {
namespace {

struct ReportCommandOptions {
  std::vector<std::filesystem::path> paths;
  std::filesystem::path output;
  std::string title;
};

int report(const ReportCommandOptions& options) {
  results::Collection collection =
      results::collect_runs(options.paths, {/*layer_counts=*/true, /*graphs=*/true});
  for (const std::string& warning : collection.warnings) std::cerr << "warning: skipped " << warning << "\n";
  if (collection.runs.empty()) {
    std::string paths;
    for (const auto& path : options.paths) paths += (paths.empty() ? "" : ", ") + path.string();
    throw ConfigError(fmt::format("{}: no run archives found", paths));
  }
  results::ReportOptions report_options = results::report_options_from_environment();
  if (!options.title.empty()) {
    report_options.title = options.title;
  } else if (collection.runs.size() == 1) {
    report_options.title = "structlab report: " + collection.runs.front().run_id;
  } else {
    report_options.title = "structlab report: " + collection.runs.front().experiment;
  }
  std::string page = results::render_html_report(collection, report_options);
  if (options.output.has_parent_path()) std::filesystem::create_directories(options.output.parent_path());
  std::ofstream out(options.output, std::ios::binary);
  if (!out)
    throw ConfigError(fmt::format("-o {}: cannot open the file for writing", options.output.string()));
  out << page;
  out.close();
  if (!out) throw ConfigError(fmt::format("-o {}: writing failed (disk full?)", options.output.string()));
  std::cerr << fmt::format("{}: report of {} runs ({} KiB); open it in a browser\n", options.output.string(),
                           collection.runs.size(), page.size() / 1024);
  return 0;
}

}  // namespace

void add_report_command(CLI::App& app, const GlobalOptions& /*global*/, CommandRunner& selected) {
  auto options = std::make_shared<ReportCommandOptions>();
  auto* command = app.add_subcommand(
      "report",
      "One self-contained HTML page of the runs under the paths: tables, charts, structure drawings");
  command->add_option("paths", options->paths, "Archives (.h5, .h5.partial, .ckpt) or folders to search")
      ->required();
  command->add_option("-o,--output", options->output, "The HTML file to write")->required();
  command->add_option("--title", options->title, "Page title (default: the run or experiment)");
  command->callback([&selected, options] { selected = [options] { return report(*options); }; });
}

}  // namespace structlab::cli
