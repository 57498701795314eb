#pragma once
// Structure drawings for reports: a stored graph as Graphviz DOT (layers as columns, skip edges coloured) and
// dot's SVG of it.

#include <string>

#include "structlab/archive/archive_metadata.hpp"

namespace structlab::results::detail {

/// DOT text of \p graph drawn left to right, one column (rank) per layer of \p layers_of (the original
/// structure's layers, so the drawings before and after pruning line up); edges spanning more than one layer
/// (skip edges) are drawn in another colour; vertices left without any edge are grey.
std::string structure_dot(const archive::StoredGraph& graph, const std::vector<std::int32_t>& layers_of);

/// Runs \p dot_program on \p dot text and returns the SVG (without the XML prologue); throws ConfigError
/// naming the program and its exit status when it fails (is Debian's graphviz installed?).
std::string render_svg(const std::string& dot_program, const std::string& dot);

}  // namespace structlab::results::detail
