#pragma once
// Limits every graph reader applies before handing text to a parser (private to the graph code): the
// parsers of Boost.Graph and nlohmann::json descend recursively, so text nested thousands deep would
// overflow the stack; and vertex ids set the size of what is allocated afterwards.

#include <cstdint>
#include <string>
#include <string_view>

#include "structlab/graph/edge_list.hpp"

namespace structlab::graph::detail {

/// Deepest nesting a graph file may have (JSON arrays/objects, DOT braces/brackets, XML elements); real
/// graph files nest fewer than ten deep.
inline constexpr int kMaxGraphNesting = 256;

/// How the nesting of one format is counted.
enum class NestingSyntax {
  json,  ///< [ ] and { } outside "strings"
  dot,   ///< { } and [ ] outside "strings", <html strings> and comments
  xml,   ///< elements: <name ...> opens, </name> closes, <name/> and <?...?>, <!...> do not nest
};

/// Throws DataError "<source>: <format> nested deeper than 256 levels (at line L); ..." when \p text nests
/// deeper than kMaxGraphNesting. One linear pass, no recursion.
void check_nesting(std::string_view text, NestingSyntax syntax, const std::string& source);

/// Throws DataError naming \p source when a graph of graph.num_vertices vertices and its edges would not fit
/// in this machine's memory (an edge list naming vertex 3 000 000 000), saying how much it would need.
void check_graph_size(const EdgeListGraph& graph, const std::string& source);

}  // namespace structlab::graph::detail
