// structlab-bench: prints performance figures as one JSON object. Figures, not pass/fail.

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "bench.hpp"
#include "structlab/runtime.hpp"

namespace structlab::bench {

std::map<std::string, FigureGroup>& groups() {
  static std::map<std::string, FigureGroup> all;
  return all;
}

bool register_group(const std::string& group, FigureGroup measure) {
  groups()[group] = std::move(measure);
  return true;
}

}  // namespace structlab::bench

int main(int argc, char** argv) {
  using namespace structlab::bench;
  CLI::App app{"structlab-bench: performance figures as JSON"};
  BenchOptions options;
  std::vector<std::string> only;
  app.add_option("--threads", options.threads, "LibTorch threads (0 = all cores)");
  app.add_flag("--quick", options.quick, "Small sizes, for a smoke run");
  app.add_option("--group", only, "Only these groups (repeatable); default: all");
  bool list = false;
  app.add_flag("--list", list, "List the groups and exit");
  CLI11_PARSE(app, argc, argv);

  if (list) {
    for (const auto& [name, measure] : groups()) std::cout << name << "\n";
    return 0;
  }
  const bool retained = structlab::retain_freed_memory();  // as the structlab program does
  int threads = structlab::set_threads(options.threads);
  nlohmann::json figures;
  figures["threads"] = threads;
  figures["allocator_keeps_freed_memory"] = retained;
  for (const auto& [name, measure] : groups()) {
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
    std::cerr << "measuring " << name << "...\n";
    for (const auto& [figure, value] : measure(options)) figures[figure] = value;
  }
  std::cout << figures.dump(2) << "\n";
  return 0;
}
