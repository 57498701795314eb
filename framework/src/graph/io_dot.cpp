// Graphviz DOT through Boost.Graph's read_graphviz / write_graphviz.

// GCC 12 reports boost::optional inside adjacency_list's edge iterator as maybe-uninitialized once
// Boost's writers are inlined here (a known false positive); the pragma keeps -Werror for everything else.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>
#include <charconv>
#include <map>
#include <sstream>

#include "graph/io_formats.hpp"
#include "structlab/error.hpp"

namespace structlab::graph::detail {
namespace {

template <typename Directedness>
using NamedGraph = boost::adjacency_list<boost::vecS, boost::vecS, Directedness,
                                         boost::property<boost::vertex_name_t, std::string>>;

std::optional<std::int64_t> integer_name(const std::string& name) {
  std::int64_t id = 0;
  auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), id);
  if (error != std::errc() || end != name.data() + name.size() || id < 0) return std::nullopt;
  // "007" and "7" would be two nodes with one id
  if (std::to_string(id) != name) return std::nullopt;
  return id;
}

template <typename Directedness>
EdgeListGraph read_as(const std::string& text, bool directed) {
  NamedGraph<Directedness> named;
  boost::dynamic_properties properties(boost::ignore_other_properties);
  properties.property("node_id", boost::get(boost::vertex_name, named));
  boost::read_graphviz(text, named, properties, "node_id");

  // integer node names are the vertex ids (what write_graphviz writes); otherwise the ids are Boost's
  // vertex order, which is the sorted order of the names
  const auto count = static_cast<std::int64_t>(boost::num_vertices(named));
  std::vector<VertexId> id_of(static_cast<std::size_t>(count));
  bool all_integers = true;
  std::int64_t largest = -1;
  for (std::int64_t v = 0; v < count && all_integers; ++v) {
    auto id = integer_name(boost::get(boost::vertex_name, named, static_cast<std::size_t>(v)));
    all_integers = id.has_value();
    if (id) {
      id_of[static_cast<std::size_t>(v)] = *id;
      largest = std::max(largest, *id);
    }
  }
  EdgeListGraph graph{count, {}, directed};
  if (all_integers) {
    graph.num_vertices = largest + 1;
  } else {
    for (std::int64_t v = 0; v < count; ++v) id_of[static_cast<std::size_t>(v)] = v;
  }
  for (auto [edge, end] = boost::edges(named); edge != end; ++edge) {
    graph.edges.push_back({id_of[boost::source(*edge, named)], id_of[boost::target(*edge, named)]});
  }
  return graph;
}

template <typename Directedness>
std::string write_as(const EdgeListGraph& graph) {
  boost::adjacency_list<boost::vecS, boost::vecS, Directedness> plain(
      static_cast<std::size_t>(graph.num_vertices));
  for (const Edge& edge : graph.edges) boost::add_edge(edge.source, edge.target, plain);
  std::ostringstream out;
  boost::write_graphviz(out, plain);
  return out.str();
}

}  // namespace

EdgeListGraph parse_dot(const std::string& text, const std::string& source) {
  try {
    try {
      return read_as<boost::directedS>(text, /*directed=*/true);
    } catch (const boost::undirected_graph_error&) {
      return read_as<boost::undirectedS>(text, /*directed=*/false);
    }
  } catch (const boost::bad_graphviz_syntax& e) {
    throw DataError(source + ": malformed DOT: " + e.what());
  } catch (const boost::graph_exception& e) {
    throw DataError(source + ": malformed DOT: " + e.what());
  }
}

std::string format_dot(const EdgeListGraph& graph) {
  return graph.directed ? write_as<boost::directedS>(graph) : write_as<boost::undirectedS>(graph);
}

}  // namespace structlab::graph::detail
