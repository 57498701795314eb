// Format names, detection from the extension, and file access for graph I/O.

#include "structlab/graph/io.hpp"

#include <fstream>
#include <sstream>

#include "graph/io_formats.hpp"
#include "graph/io_limits.hpp"
#include "structlab/error.hpp"

namespace structlab::graph {

GraphFormat parse_graph_format(const std::string& name) {
  if (name == "edgelist") return GraphFormat::edgelist;
  if (name == "graphml") return GraphFormat::graphml;
  if (name == "dot") return GraphFormat::dot;
  if (name == "json") return GraphFormat::json;
  throw ConfigError("graph format '" + name + "' is unknown; expected edgelist, graphml, dot or json");
}

const char* to_string(GraphFormat format) {
  switch (format) {
    case GraphFormat::edgelist:
      return "edgelist";
    case GraphFormat::graphml:
      return "graphml";
    case GraphFormat::dot:
      return "dot";
    case GraphFormat::json:
      return "json";
  }
  return "unknown";
}

GraphFormat format_from_extension(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension == ".txt" || extension == ".edges" || extension == ".edgelist" || extension == ".el") {
    return GraphFormat::edgelist;
  }
  if (extension == ".graphml" || extension == ".xml") return GraphFormat::graphml;
  if (extension == ".dot" || extension == ".gv") return GraphFormat::dot;
  if (extension == ".json") return GraphFormat::json;
  throw DataError(path.string() + ": cannot tell the graph format from the extension '" + extension +
                  "'; use .txt/.edges/.edgelist/.el, .graphml/.xml, .dot/.gv or .json, or name the format");
}

namespace {

EdgeListGraph parse_within_nesting(const std::string& text, GraphFormat format, const std::string& source) {
  switch (format) {
    case GraphFormat::edgelist:
      return detail::parse_edgelist(text, source);
    case GraphFormat::graphml:
      detail::check_nesting(text, detail::NestingSyntax::xml, source);
      return detail::parse_graphml(text, source);
    case GraphFormat::dot:
      detail::check_nesting(text, detail::NestingSyntax::dot, source);
      return detail::parse_dot(text, source);
    case GraphFormat::json:
      detail::check_nesting(text, detail::NestingSyntax::json, source);
      return detail::parse_json(text, source);
  }
  throw DataError(source + ": unknown graph format");
}

}  // namespace

EdgeListGraph parse_graph(const std::string& text, GraphFormat format, const std::string& source) {
  // the nesting is checked before a (recursive) parser sees the text, the size before anything is allocated
  // per vertex
  EdgeListGraph graph = parse_within_nesting(text, format, source);
  detail::check_graph_size(graph, source);
  return graph;
}

std::string format_graph(const EdgeListGraph& graph, GraphFormat format) {
  switch (format) {
    case GraphFormat::edgelist:
      return detail::format_edgelist(graph);
    case GraphFormat::graphml:
      return detail::format_graphml(graph);
    case GraphFormat::dot:
      return detail::format_dot(graph);
    case GraphFormat::json:
      return detail::format_json(graph);
  }
  throw DataError("unknown graph format");
}

EdgeListGraph read_graph(const std::filesystem::path& path, std::optional<GraphFormat> format) {
  GraphFormat chosen = format ? *format : format_from_extension(path);
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored)) throw DataError(path.string() + ": no such graph file");
  if (std::filesystem::is_directory(path, ignored))
    throw DataError(path.string() + ": is a directory, not a graph file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path.string() + ": cannot open the graph file for reading");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_graph(text.str(), chosen, path.string());
}

void write_graph(const EdgeListGraph& graph, const std::filesystem::path& path,
                 std::optional<GraphFormat> format) {
  GraphFormat chosen = format ? *format : format_from_extension(path);
  std::string text = format_graph(graph, chosen);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw DataError(path.string() + ": cannot open the graph file for writing");
  out << text;
  out.flush();
  if (!out) throw DataError(path.string() + ": writing the graph failed (disk full?)");
}

void write_graph(const LayeredGraph& graph, const std::filesystem::path& path,
                 std::optional<GraphFormat> format) {
  write_graph(to_edge_list(graph), path, format);
}

EdgeListGraph to_edge_list(const LayeredGraph& graph) { return {graph.num_vertices(), graph.edges(), true}; }

}  // namespace structlab::graph
