#pragma once
// One parser and one writer per file format (private to the graph code); io.cpp dispatches to them.
// Parsers throw DataError naming `source` (and the line where the format reports it).

#include <string>

#include "structlab/graph/edge_list.hpp"

namespace structlab::graph::detail {

/// Plain edge list, see io.hpp.
EdgeListGraph parse_edgelist(const std::string& text, const std::string& source);
/// Plain edge list with the vertex-count and direction header.
std::string format_edgelist(const EdgeListGraph& graph);

/// GraphML through Boost.Graph's reader.
EdgeListGraph parse_graphml(const std::string& text, const std::string& source);
/// GraphML through Boost.Graph's writer.
std::string format_graphml(const EdgeListGraph& graph);

/// Graphviz DOT through Boost.Graph's reader.
EdgeListGraph parse_dot(const std::string& text, const std::string& source);
/// Graphviz DOT through Boost.Graph's writer.
std::string format_dot(const EdgeListGraph& graph);

/// {"directed": bool, "num_vertices": n, "edges": [[u, v], ...]}.
EdgeListGraph parse_json(const std::string& text, const std::string& source);
/// The JSON form parse_json reads.
std::string format_json(const EdgeListGraph& graph);

}  // namespace structlab::graph::detail
