// `structlab collect PATH... [--format csv|json|jsonl] [-o FILE] [--stages all|last]`: every run archive
// under the paths as one long table, one row per run × stage.

#include <fmt/core.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "structlab/error.hpp"
#include "structlab/results/collected_run.hpp"
#include "structlab/results/run_table.hpp"
#include "structlab/results/table_format.hpp"

namespace structlab::cli {
namespace {

struct CollectOptions {
  std::vector<std::filesystem::path> paths;
  std::string format = "csv";
  std::filesystem::path output;
  std::string stages = "all";
};

void write_table(std::ostream& out, results::TableFormat format, const results::RunTable& table,
                 const std::vector<std::string>& warnings) {
  switch (format) {
    case results::TableFormat::csv:
      results::write_csv(out, table);
      break;
    case results::TableFormat::json:
      results::write_json(out, table, warnings);
      break;
    case results::TableFormat::jsonl:
      results::write_jsonl(out, table);
      break;
  }
}

int collect(const CollectOptions& options) {
  results::TableFormat format = results::parse_table_format(options.format);
  results::StageRows stages = options.stages == "last" ? results::StageRows::last : results::StageRows::all;
  results::Collection collection = results::collect_runs(options.paths);
  for (const std::string& warning : collection.warnings) std::cerr << "warning: skipped " << warning << "\n";
  results::RunTable table = results::build_run_table(collection.runs, stages);
  if (options.output.empty()) {
    write_table(std::cout, format, table, collection.warnings);
    std::cout.flush();
  } else {
    std::ofstream out(options.output, std::ios::binary);
    if (!out)
      throw ConfigError(fmt::format("-o {}: cannot open the file for writing", options.output.string()));
    write_table(out, format, table, collection.warnings);
    out.close();
    if (!out) throw ConfigError(fmt::format("-o {}: writing failed (disk full?)", options.output.string()));
    std::cerr << fmt::format("{}: {} runs, {} rows, {} columns\n", options.output.string(),
                             collection.runs.size(), table.rows.size(), table.columns.size());
  }
  return 0;
}

}  // namespace

void add_collect_command(CLI::App& app, const GlobalOptions& /*global*/, CommandRunner& selected) {
  auto options = std::make_shared<CollectOptions>();
  auto* command = app.add_subcommand(
      "collect", "Every run archive under the paths as one table, one row per run x stage (README: Results)");
  command->add_option("paths", options->paths, "Archives (.h5, .h5.partial, .ckpt) or folders to search")
      ->required();
  command->add_option("--format", options->format, "csv (default), json (what `report` reads) or jsonl")
      ->check(CLI::IsMember({"csv", "json", "jsonl"}));
  command->add_option("-o,--output", options->output, "Write to FILE instead of standard output");
  command
      ->add_option("--stages", options->stages, "all (default): a row per stage; last: the last stage only")
      ->check(CLI::IsMember({"all", "last"}));
  command->callback([&selected, options] { selected = [options] { return collect(*options); }; });
}

}  // namespace structlab::cli
