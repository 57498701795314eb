// LayeredGraph: construction, edits, the longest-path layering and its queries, cycles, orientation.

#include "structlab/graph/layered_graph.hpp"

#include <gtest/gtest.h>

#include "structlab/error.hpp"

namespace structlab::graph {
namespace {

using Vertices = std::vector<VertexId>;

template <typename Fn>
std::string message_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

LayeredGraph diamond() { return LayeredGraph(4, {{0, 1}, {0, 2}, {1, 3}, {2, 3}}); }

TEST(LayeredGraph, EmptyGraphHasNoLayers) {
  LayeredGraph graph;
  EXPECT_EQ(graph.num_vertices(), 0);
  EXPECT_EQ(graph.num_edges(), 0);
  EXPECT_EQ(graph.num_layers(), 0);
  EXPECT_TRUE(graph.layers().empty());
  EXPECT_THROW(graph.first_layer_size(), GraphError);
  EXPECT_THROW(graph.last_layer_size(), GraphError);
}

TEST(LayeredGraph, IsolatedVerticesFormOneLayer) {
  LayeredGraph graph(3);
  EXPECT_EQ(graph.num_layers(), 1);
  EXPECT_EQ(graph.vertices(0), (Vertices{0, 1, 2}));
  EXPECT_EQ(graph.sources(), (Vertices{0, 1, 2}));
  EXPECT_EQ(graph.sinks(), (Vertices{0, 1, 2}));
}

TEST(LayeredGraph, NegativeVertexCountIsAGraphError) {
  EXPECT_NE(message_of([] { LayeredGraph(-2); }).find("-2"), std::string::npos);
  EXPECT_THROW(LayeredGraph(-1), GraphError);
}

TEST(LayeredGraph, ChainHasOneVertexPerLayer) {
  LayeredGraph chain(4, {{2, 3}, {0, 1}, {1, 2}});
  EXPECT_EQ(chain.num_layers(), 4);
  for (VertexId v = 0; v < 4; ++v) {
    EXPECT_EQ(chain.layer_of(v), v);
    EXPECT_EQ(chain.vertices(v), Vertices{v});
  }
  EXPECT_EQ(chain.layers(), (std::vector<std::int64_t>{0, 1, 2, 3}));
}

TEST(LayeredGraph, DiamondLayering) {
  LayeredGraph graph = diamond();
  EXPECT_EQ(graph.num_layers(), 3);
  EXPECT_EQ(graph.vertices(1), (Vertices{1, 2}));
  EXPECT_EQ(graph.layer_size(1), 2);
  EXPECT_EQ(graph.first_layer_size(), 1);
  EXPECT_EQ(graph.last_layer_size(), 1);
  EXPECT_EQ(graph.index_in_layer(1), 0);
  EXPECT_EQ(graph.index_in_layer(2), 1);
  EXPECT_EQ(graph.layer_per_vertex(), (std::vector<std::int32_t>{0, 1, 1, 2}));
  EXPECT_EQ(graph.sources(), Vertices{0});
  EXPECT_EQ(graph.sinks(), Vertices{3});
}

TEST(LayeredGraph, SkipEdgeDoesNotShortenTheLongestPath) {
  // 0 -> 1 -> 2 -> 3 plus the skip edges 0 -> 3 and 1 -> 3; 4 feeds 3 directly
  LayeredGraph graph(5, {{0, 1}, {1, 2}, {2, 3}, {0, 3}, {1, 3}, {4, 3}});
  EXPECT_EQ(graph.layer_of(3), 3);
  EXPECT_EQ(graph.layer_of(4), 0);
  EXPECT_EQ(graph.vertices(0), (Vertices{0, 4}));
  EXPECT_EQ(graph.layer_connection_size(0, 3), 2);  // 0 -> 3 and 4 -> 3
  EXPECT_EQ(graph.layer_connection_size(1, 3), 1);
  EXPECT_EQ(graph.layer_connection_size(0, 1), 1);
  EXPECT_TRUE(graph.layer_connected(2, 3));
  EXPECT_FALSE(graph.layer_connected(3, 0));
  EXPECT_FALSE(graph.layer_connected(0, 2));
}

TEST(LayeredGraph, UnknownLayerOrVertexIsAGraphErrorNamingIt) {
  LayeredGraph graph = diamond();
  EXPECT_THROW(graph.vertices(3), GraphError);
  EXPECT_NE(message_of([&] { graph.layer_size(7); }).find("layer 7"), std::string::npos);
  EXPECT_NE(message_of([&] { graph.layer_connected(0, -1); }).find("layer -1"), std::string::npos);
  EXPECT_NE(message_of([&] { graph.layer_of(9); }).find("vertex 9"), std::string::npos);
  EXPECT_NE(message_of([&] { graph.out_neighbors(4); }).find("vertex 4"), std::string::npos);
  EXPECT_THROW(graph.in_degree(-1), GraphError);
}

TEST(LayeredGraph, DuplicateEdgesAreKeptOnce) {
  LayeredGraph graph(2, {{0, 1}, {0, 1}});
  EXPECT_EQ(graph.num_edges(), 1);
  graph.add_edge(0, 1);
  EXPECT_EQ(graph.num_edges(), 1);
}

TEST(LayeredGraph, BadEdgesAreGraphErrorsNamingTheEdge) {
  EXPECT_NE(message_of([] { LayeredGraph(3, {{0, 5}}); }).find("edge 0 -> 5"), std::string::npos);
  EXPECT_NE(message_of([] { LayeredGraph(3, {{2, 2}}); }).find("self loop"), std::string::npos);
  LayeredGraph graph(3);
  EXPECT_THROW(graph.add_edge(1, 1), GraphError);
  EXPECT_NE(message_of([&] { graph.add_edge(0, 3); }).find("vertex 3"), std::string::npos);
}

TEST(LayeredGraph, NeighborsAndDegreesAreSorted) {
  LayeredGraph graph(5, {{0, 4}, {0, 2}, {3, 4}, {1, 4}});
  EXPECT_EQ(graph.out_neighbors(0), (Vertices{2, 4}));
  EXPECT_EQ(graph.in_neighbors(4), (Vertices{0, 1, 3}));
  EXPECT_EQ(graph.in_degree(4), 3);
  EXPECT_EQ(graph.out_degree(0), 2);
  EXPECT_TRUE(graph.has_edge(3, 4));
  EXPECT_FALSE(graph.has_edge(4, 3));
  EXPECT_FALSE(graph.has_edge(4, 99));
  EXPECT_EQ(graph.edges(), (std::vector<Edge>{{0, 2}, {0, 4}, {1, 4}, {3, 4}}));
  EXPECT_EQ(graph.edge_array(), (std::vector<std::int64_t>{0, 2, 0, 4, 1, 4, 3, 4}));
}

TEST(LayeredGraph, EditsInvalidateTheCachedLayering) {
  LayeredGraph graph = diamond();
  ASSERT_EQ(graph.num_layers(), 3);
  VertexId extra = graph.add_vertex();
  EXPECT_EQ(extra, 4);
  EXPECT_EQ(graph.vertices(0), (Vertices{0, 4}));
  graph.add_edge(3, extra);
  EXPECT_EQ(graph.num_layers(), 4);
  EXPECT_EQ(graph.layer_connection_size(2, 3), 1);
  EXPECT_TRUE(graph.remove_edge(3, extra));
  EXPECT_FALSE(graph.remove_edge(3, extra));
  EXPECT_EQ(graph.num_layers(), 3);
  EXPECT_EQ(graph.layer_of(extra), 0);
  EXPECT_EQ(graph.num_edges(), 4);
}

TEST(LayeredGraph, CopiesAreIndependent) {
  LayeredGraph original = diamond();
  ASSERT_EQ(original.num_layers(), 3);
  LayeredGraph copy = original;
  EXPECT_EQ(copy, original);
  copy.add_edge(0, 3);
  EXPECT_NE(copy, original);
  EXPECT_FALSE(original.has_edge(0, 3));
  LayeredGraph assigned;
  assigned = copy;
  EXPECT_EQ(assigned, copy);
  LayeredGraph moved = std::move(assigned);
  EXPECT_EQ(moved.num_edges(), 5);
}

TEST(LayeredGraph, CycleIsAGraphErrorNamingItsVertices) {
  // 0 -> 1 -> 2 -> 3 -> 1 : the cycle is 1, 2, 3
  LayeredGraph graph(5, {{0, 1}, {1, 2}, {2, 3}, {3, 1}, {3, 4}});
  EXPECT_FALSE(graph.is_acyclic());
  EXPECT_EQ(graph.find_cycle(), (Vertices{1, 2, 3}));
  std::string message = message_of([&] { graph.num_layers(); });
  EXPECT_NE(message.find("1 -> 2 -> 3 -> 1"), std::string::npos) << message;
  EXPECT_THROW(graph.layer_of(0), GraphError);
  graph.remove_edge(3, 1);
  EXPECT_TRUE(graph.is_acyclic());
  EXPECT_TRUE(graph.find_cycle().empty());
  EXPECT_EQ(graph.num_layers(), 5);
}

TEST(LayeredGraph, LongChainNeedsNoRecursion) {
  const std::int64_t n = 200000;
  std::vector<Edge> edges;
  for (VertexId v = 0; v + 1 < n; ++v) edges.push_back({v, v + 1});
  edges.push_back({n - 1, 0});
  LayeredGraph graph(n, edges);
  EXPECT_EQ(static_cast<std::int64_t>(graph.find_cycle().size()), n);
  graph.remove_edge(n - 1, 0);
  EXPECT_EQ(graph.num_layers(), n);
}

TEST(Orientation, ParsesItsTwoNames) {
  EXPECT_EQ(parse_orientation("index"), Orientation::index);
  EXPECT_EQ(parse_orientation("random"), Orientation::random);
  EXPECT_STREQ(to_string(Orientation::random), "random");
  EXPECT_NE(message_of([] { parse_orientation("up"); }).find("'index' or 'random'"), std::string::npos);
  EXPECT_THROW(parse_orientation("up"), ConfigError);
}

EdgeListGraph undirected_cycle(std::int64_t n) {
  EdgeListGraph graph{n, {}, false};
  for (VertexId v = 0; v < n; ++v) graph.edges.push_back({(v + 1) % n, v});
  return graph;
}

TEST(Orientation, IndexPointsFromLowerToHigherId) {
  LayeredGraph graph = LayeredGraph::from_edge_list(undirected_cycle(5), Orientation::index, 0);
  EXPECT_EQ(graph.num_edges(), 5);
  for (const Edge& edge : graph.edges()) EXPECT_LT(edge.source, edge.target);
  EXPECT_TRUE(graph.has_edge(0, 4));
  EXPECT_EQ(graph.sources(), Vertices{0});
}

TEST(Orientation, RandomIsAcyclicSeededAndKeepsTheSkeleton) {
  EdgeListGraph ring = undirected_cycle(50);
  LayeredGraph a = LayeredGraph::from_edge_list(ring, Orientation::random, 7);
  LayeredGraph b = LayeredGraph::from_edge_list(ring, Orientation::random, 7);
  LayeredGraph other = LayeredGraph::from_edge_list(ring, Orientation::random, 8);
  LayeredGraph by_index = LayeredGraph::from_edge_list(ring, Orientation::index, 7);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, other);
  EXPECT_NE(a, by_index);
  EXPECT_TRUE(a.is_acyclic());
  EXPECT_EQ(a.num_edges(), 50);
  for (const Edge& edge : ring.edges)
    EXPECT_TRUE(a.has_edge(edge.source, edge.target) != a.has_edge(edge.target, edge.source));
}

TEST(Orientation, DirectedInputIsTakenAsItIs) {
  EdgeListGraph directed{3, {{2, 0}, {1, 0}}, true};
  LayeredGraph graph = LayeredGraph::from_edge_list(directed, Orientation::index, 0);
  EXPECT_TRUE(graph.has_edge(2, 0));
  EXPECT_EQ(graph.layer_of(0), 1);
  EdgeListGraph cyclic{2, {{0, 1}, {1, 0}}, true};
  EXPECT_THROW(LayeredGraph::from_edge_list(cyclic, Orientation::index, 0).num_layers(), GraphError);
}

}  // namespace
}  // namespace structlab::graph
