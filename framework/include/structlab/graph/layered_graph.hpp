#pragma once
/// \file
/// LayeredGraph: a directed acyclic graph whose vertices are neurons, grouped into layers.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "structlab/graph/edge_list.hpp"

namespace structlab::graph {

/// How an undirected graph becomes a DAG.
enum class Orientation {
  index,   ///< every edge points from the lower id to the higher id (RandWire's rule)
  random,  ///< ids are first shuffled by a seeded random permutation, then lower -> higher
};

/// Parses "index" or "random"; throws ConfigError naming the accepted values otherwise.
Orientation parse_orientation(const std::string& text);
/// "index" or "random".
const char* to_string(Orientation orientation);

/// A directed acyclic graph on vertices 0..n-1 with a cached layering.
///
/// The layer of a vertex is the length of the longest path from any source to it (sources are layer 0).
/// The layering is computed in O(V+E) on first use and cached until the graph changes. Layer queries on
/// a graph with a cycle throw GraphError naming the vertices of one cycle. Not safe for concurrent
/// first use of the layering from several threads.
class LayeredGraph {
 public:
  /// An empty graph.
  LayeredGraph();
  /// \p num_vertices isolated vertices; throws GraphError when negative.
  explicit LayeredGraph(std::int64_t num_vertices);
  /// A directed graph from edges; throws GraphError for an id outside 0..n-1 or a self loop.
  /// Duplicate edges are kept once.
  LayeredGraph(std::int64_t num_vertices, const std::vector<Edge>& edges);
  /// Copies the graph (and its cached layering).
  LayeredGraph(const LayeredGraph& other);
  /// Moves the graph; the moved-from graph may only be assigned to or destroyed.
  LayeredGraph(LayeredGraph&& other) noexcept;
  /// Copy-assigns.
  LayeredGraph& operator=(const LayeredGraph& other);
  /// Move-assigns.
  LayeredGraph& operator=(LayeredGraph&& other) noexcept;
  ~LayeredGraph();

  /// A DAG from an undirected graph, oriented as \p orientation says (\p seed feeds `random`, through
  /// Rng::derive(seed, "orientation")); a directed input is taken as it is. Throws GraphError as the
  /// edge constructor does.
  static LayeredGraph from_edge_list(const EdgeListGraph& graph, Orientation orientation, std::uint64_t seed);

  /// Adds one vertex and returns its id.
  VertexId add_vertex();
  /// Adds a directed edge; throws GraphError for an unknown vertex or a self loop. Adding an existing
  /// edge does nothing.
  void add_edge(VertexId source, VertexId target);
  /// Removes an edge; returns false when it did not exist.
  bool remove_edge(VertexId source, VertexId target);

  /// Number of vertices.
  std::int64_t num_vertices() const;
  /// Number of edges.
  std::int64_t num_edges() const;
  /// True when the edge source -> target exists (false for unknown vertices).
  bool has_edge(VertexId source, VertexId target) const;
  /// Targets of the edges leaving \p v, ascending; throws GraphError for an unknown vertex.
  const std::vector<VertexId>& out_neighbors(VertexId v) const;
  /// Sources of the edges entering \p v, ascending; throws GraphError for an unknown vertex.
  const std::vector<VertexId>& in_neighbors(VertexId v) const;
  /// In-degree of \p v.
  std::int64_t in_degree(VertexId v) const;
  /// Out-degree of \p v.
  std::int64_t out_degree(VertexId v) const;
  /// All edges, sorted by (source, target).
  std::vector<Edge> edges() const;
  /// Vertices without incoming edges, ascending.
  std::vector<VertexId> sources() const;
  /// Vertices without outgoing edges, ascending.
  std::vector<VertexId> sinks() const;
  /// True when the graph has no directed cycle.
  bool is_acyclic() const;
  /// The vertices of one directed cycle in path order, or empty when the graph is acyclic.
  std::vector<VertexId> find_cycle() const;

  /// Number of layers (0 for an empty graph). Throws GraphError on a cycle.
  std::int64_t num_layers() const;
  /// Layer indices 0..num_layers()-1.
  std::vector<std::int64_t> layers() const;
  /// Number of vertices in layer \p layer; throws GraphError for an unknown layer.
  std::int64_t layer_size(std::int64_t layer) const;
  /// Vertices of layer \p layer in ascending id; throws GraphError for an unknown layer.
  const std::vector<VertexId>& vertices(std::int64_t layer) const;
  /// Layer of vertex \p v; throws GraphError for an unknown vertex or a cycle.
  std::int64_t layer_of(VertexId v) const;
  /// Position of \p v within its layer's ascending vertex list; throws GraphError for an unknown vertex.
  std::int64_t index_in_layer(VertexId v) const;
  /// Layer of every vertex, indexed by vertex id (valid until the graph changes); throws GraphError on a
  /// cycle.
  const std::vector<std::int32_t>& layer_per_vertex() const;
  /// Size of layer 0; throws GraphError for an empty graph.
  std::int64_t first_layer_size() const;
  /// Size of the last layer; throws GraphError for an empty graph.
  std::int64_t last_layer_size() const;
  /// True when at least one edge goes from a vertex of layer \p from to a vertex of layer \p to;
  /// throws GraphError for an unknown layer.
  bool layer_connected(std::int64_t from, std::int64_t to) const;
  /// Number of edges from layer \p from to layer \p to (counted once, on the first such query);
  /// throws GraphError for an unknown layer.
  std::int64_t layer_connection_size(std::int64_t from, std::int64_t to) const;

  /// The edges as a flat row-major E x 2 array (source, target), sorted; for archives.
  std::vector<std::int64_t> edge_array() const;
  /// Structural equality: same vertex count and edge set.
  bool operator==(const LayeredGraph& other) const;
  /// Structural inequality.
  bool operator!=(const LayeredGraph& other) const { return !(*this == other); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace structlab::graph
