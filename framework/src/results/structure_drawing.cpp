// Structure drawings with Graphviz: DOT text and dot's SVG.

#include "results/structure_drawing.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "structlab/error.hpp"

namespace structlab::results::detail {
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A shell word: the text in single quotes, each quote closed, escaped and reopened.
std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

std::string structure_dot(const archive::StoredGraph& graph, const std::vector<std::int32_t>& layers_of) {
  std::vector<bool> touched(static_cast<std::size_t>(graph.num_vertices), false);
  for (const auto& [source, target] : graph.edges) {
    if (source >= 0 && source < graph.num_vertices) touched[static_cast<std::size_t>(source)] = true;
    if (target >= 0 && target < graph.num_vertices) touched[static_cast<std::size_t>(target)] = true;
  }
  auto layer_of = [&](std::int64_t vertex) {
    return static_cast<std::size_t>(vertex) < layers_of.size() ? layers_of[static_cast<std::size_t>(vertex)]
                                                               : 0;
  };
  std::ostringstream dot;
  dot << "digraph structure {\n"
         "  graph [rankdir=LR, nodesep=0.05, ranksep=0.9, splines=false, outputorder=edgesfirst, "
         "bgcolor=transparent];\n"
         "  node [shape=circle, width=0.12, height=0.12, fixedsize=true, label=\"\", style=filled, "
         "fillcolor=\"#4e79a7\", color=\"#2b4a6f\", penwidth=0.5];\n"
         "  edge [arrowsize=0.3, penwidth=0.6, color=\"#4e79a780\"];\n";
  std::map<std::int32_t, std::vector<std::int64_t>> by_layer;
  for (std::int64_t vertex = 0; vertex < graph.num_vertices; ++vertex)
    by_layer[layer_of(vertex)].push_back(vertex);
  for (const auto& [layer, vertices] : by_layer) {
    dot << "  { rank=same;";
    for (std::int64_t vertex : vertices) {
      dot << " v" << vertex;
      if (!touched[static_cast<std::size_t>(vertex)]) dot << " [fillcolor=\"#d0d0d0\", color=\"#b0b0b0\"]";
      dot << ";";
    }
    dot << " }\n";
  }
  for (const auto& [source, target] : graph.edges) {
    dot << "  v" << source << " -> v" << target;
    if (layer_of(target) - layer_of(source) > 1) dot << " [color=\"#e15759b0\", constraint=false]";
    dot << ";\n";
  }
  dot << "}\n";
  return dot.str();
}

std::string render_svg(const std::string& dot_program, const std::string& dot) {
  fs::path dir = fs::temp_directory_path() / fmt::format("structlab-dot-{}", ::getpid());
  fs::create_directories(dir);
  fs::path input = dir / "structure.dot";
  fs::path output = dir / "structure.svg";
  {
    std::ofstream out(input, std::ios::binary);
    out << dot;
  }
  std::string command =
      fmt::format("{} -Tsvg {} -o {} 2>{}", shell_quoted(dot_program), shell_quoted(input.string()),
                  shell_quoted(output.string()), shell_quoted((dir / "stderr.txt").string()));
  int status = std::system(command.c_str());
  std::string svg = read_file(output);
  std::string errors = read_file(dir / "stderr.txt");
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  if (status != 0 || svg.empty()) {
    throw ConfigError(
        fmt::format("{} (Graphviz, Debian package graphviz) failed with status {} drawing a structure: {}",
                    dot_program, status, errors));
  }
  std::size_t start = svg.find("<svg");
  return start == std::string::npos ? svg : svg.substr(start);
}

}  // namespace structlab::results::detail
