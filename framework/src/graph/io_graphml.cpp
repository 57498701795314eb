// GraphML through Boost.Graph: read_graphml into a collector of edges, write_graphml from an adjacency_list.

// GCC 12 reports boost::optional inside adjacency_list's edge iterator as maybe-uninitialized once
// Boost's writers are inlined here (a known false positive); the pragma keeps -Werror for everything else.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>

#include "graph/io_formats.hpp"
#include "structlab/error.hpp"

namespace structlab::graph::detail {
namespace {

// Boost's reader calls this for every node and edge; vertex ids are handed out in node order, and the
// data attributes GraphML files carry (labels, weights) are not part of the structure, so they are dropped.
class EdgeCollector : public boost::mutate_graph {
 public:
  EdgeCollector(EdgeListGraph& graph, bool directed) : graph_(graph), directed_(directed) {}

  bool is_directed() const override { return directed_; }
  boost::any do_add_vertex() override { return graph_.num_vertices++; }
  std::pair<boost::any, bool> do_add_edge(boost::any source, boost::any target) override {
    graph_.edges.push_back({boost::any_cast<VertexId>(source), boost::any_cast<VertexId>(target)});
    return {boost::any(graph_.edges.size() - 1), true};
  }
  void set_graph_property(const std::string&, const std::string&, const std::string&) override {}
  void set_vertex_property(const std::string&, boost::any, const std::string&, const std::string&) override {}
  void set_edge_property(const std::string&, boost::any, const std::string&, const std::string&) override {}

 private:
  EdgeListGraph& graph_;
  bool directed_;
};

EdgeListGraph read_as(const std::string& text, bool directed) {
  EdgeListGraph graph{0, {}, directed};
  EdgeCollector collector(graph, directed);
  std::istringstream in(text);
  boost::read_graphml(in, collector, 0);
  return graph;
}

template <typename Directedness>
std::string write_as(const EdgeListGraph& graph) {
  using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, Directedness>;
  BoostGraph boost_graph(static_cast<typename BoostGraph::vertices_size_type>(graph.num_vertices));
  for (const Edge& edge : graph.edges) boost::add_edge(edge.source, edge.target, boost_graph);
  std::ostringstream out;
  boost::dynamic_properties no_properties;
  boost::write_graphml(out, boost_graph, no_properties, /*ordered_vertices=*/true);
  return out.str();
}

}  // namespace

EdgeListGraph parse_graphml(const std::string& text, const std::string& source) {
  try {
    try {
      return read_as(text, /*directed=*/true);
    } catch (const boost::undirected_graph_error&) {
      // the file says edgedefault="undirected": read it again as such
      return read_as(text, /*directed=*/false);
    }
  } catch (const boost::property_tree::xml_parser_error& e) {
    throw DataError(source + ":" + std::to_string(e.line()) + ": malformed GraphML: " + e.message());
  } catch (const boost::directed_graph_error&) {
    throw DataError(source + ": malformed GraphML: the graph mixes directed and undirected edges");
  } catch (const boost::property_tree::ptree_error& e) {
    throw DataError(source + ": malformed GraphML (missing element or attribute): " + e.what());
  } catch (const boost::graph_exception& e) {
    throw DataError(source + ": malformed GraphML: " + e.what());
  }
}

std::string format_graphml(const EdgeListGraph& graph) {
  return graph.directed ? write_as<boost::directedS>(graph) : write_as<boost::undirectedS>(graph);
}

}  // namespace structlab::graph::detail
