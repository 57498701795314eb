#pragma once
/// \file
/// Reading and writing graphs: plain edge list, GraphML, Graphviz DOT and JSON.
///
/// Edge list: one edge `u v` per line (vertex ids 0..n-1; a third field such as a weight is ignored), `#`
/// starts a comment, and the optional header comments `# vertices: N` and `# directed: true|false` keep
/// isolated vertices and the direction (without them: n = largest id + 1, directed).
/// GraphML: vertex ids follow the order of the <node> elements; `edgedefault` gives the direction.
/// DOT: `digraph` is directed, `graph` undirected; node names that are all integers are the vertex ids,
/// otherwise ids follow the names' sorted order.
/// JSON: {"directed": bool, "num_vertices": n, "edges": [[u, v], ...]}.

#include <filesystem>
#include <optional>
#include <string>

#include "structlab/graph/edge_list.hpp"
#include "structlab/graph/layered_graph.hpp"

namespace structlab::graph {

/// The supported file formats.
enum class GraphFormat { edgelist, graphml, dot, json };

/// Parses "edgelist", "graphml", "dot" or "json"; throws ConfigError naming the accepted names otherwise.
GraphFormat parse_graph_format(const std::string& name);
/// The name parse_graph_format accepts.
const char* to_string(GraphFormat format);
/// The format of \p path from its extension: .txt .edges .edgelist .el -> edgelist, .graphml .xml -> graphml,
/// .dot .gv -> dot, .json -> json. Throws DataError naming the path and the known extensions otherwise.
GraphFormat format_from_extension(const std::filesystem::path& path);

/// Parses \p text in \p format; \p source names the text in messages (a file name).
/// Throws DataError naming \p source and, where the format reports it, the line; also when the text nests
/// deeper than 256 levels (JSON, DOT, GraphML) or names more vertices or edges than this machine's memory
/// holds (saying how much it would need), before parsing or allocating further.
EdgeListGraph parse_graph(const std::string& text, GraphFormat format, const std::string& source = "<text>");
/// Renders \p graph in \p format. Throws DataError when the format cannot hold it (never for these four).
std::string format_graph(const EdgeListGraph& graph, GraphFormat format);

/// Reads \p path in \p format, or in the format its extension names. Throws DataError naming the path when
/// it cannot be opened or is malformed (with the line where the format reports it).
EdgeListGraph read_graph(const std::filesystem::path& path, std::optional<GraphFormat> format = std::nullopt);
/// Writes \p graph to \p path in \p format, or in the format its extension names. Throws DataError naming
/// the path when it cannot be written.
void write_graph(const EdgeListGraph& graph, const std::filesystem::path& path,
                 std::optional<GraphFormat> format = std::nullopt);
/// Writes a layered graph (directed) as write_graph does.
void write_graph(const LayeredGraph& graph, const std::filesystem::path& path,
                 std::optional<GraphFormat> format = std::nullopt);

/// The directed edge-list form of \p graph.
EdgeListGraph to_edge_list(const LayeredGraph& graph);

}  // namespace structlab::graph
