// Graph files: every format round-trips, formats come from extensions, bad files are DataErrors naming
// the file and, where the format reports it, the line.

#include "structlab/graph/io.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "structlab/error.hpp"
#include "support/run_process.hpp"

namespace structlab::graph {
namespace {

template <typename Fn>
std::string data_error_of(Fn&& fn) {
  try {
    fn();
  } catch (const DataError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong exception type: ") + e.what();
  }
  return "no exception";
}

// Same vertices, direction and edge set; writers may list edges grouped by source.
bool same(const EdgeListGraph& a, const EdgeListGraph& b) {
  auto sorted = [](std::vector<Edge> edges) {
    std::sort(edges.begin(), edges.end());
    return edges;
  };
  return a.num_vertices == b.num_vertices && a.directed == b.directed && sorted(a.edges) == sorted(b.edges);
}

// vertex 5 is isolated: a format that forgets it fails the round trip
const EdgeListGraph directed_sample{6, {{0, 1}, {0, 3}, {1, 2}, {3, 2}, {2, 4}}, true};
const EdgeListGraph undirected_sample{4, {{0, 1}, {1, 2}, {2, 0}, {3, 2}}, false};

class RoundTrip : public ::testing::TestWithParam<GraphFormat> {};

TEST_P(RoundTrip, TextKeepsVerticesEdgesAndDirection) {
  for (const EdgeListGraph& original : {directed_sample, undirected_sample}) {
    std::string text = format_graph(original, GetParam());
    EdgeListGraph back = parse_graph(text, GetParam(), "sample");
    EXPECT_TRUE(same(back, original)) << text;
  }
}

TEST_P(RoundTrip, FileWithTheFormatsExtension) {
  std::string dir = testing::make_temp_dir("graph-io");
  const char* extension[] = {".edges", ".graphml", ".dot", ".json"};
  std::filesystem::path path = dir + "/g" + extension[static_cast<int>(GetParam())];
  write_graph(directed_sample, path);
  EXPECT_EQ(format_from_extension(path), GetParam());
  EXPECT_TRUE(same(read_graph(path), directed_sample));
  std::filesystem::path explicit_path = dir + "/graph.data";
  write_graph(LayeredGraph(directed_sample.num_vertices, directed_sample.edges), explicit_path, GetParam());
  EXPECT_TRUE(same(read_graph(explicit_path, GetParam()), directed_sample));
}

INSTANTIATE_TEST_SUITE_P(AllFormats, RoundTrip,
                         ::testing::Values(GraphFormat::edgelist, GraphFormat::graphml, GraphFormat::dot,
                                           GraphFormat::json),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(GraphFormat, NamesAndExtensions) {
  EXPECT_EQ(parse_graph_format("graphml"), GraphFormat::graphml);
  EXPECT_THROW(parse_graph_format("gml"), ConfigError);
  EXPECT_EQ(format_from_extension("a/b.TXT"), GraphFormat::edgelist);
  EXPECT_EQ(format_from_extension("b.gv"), GraphFormat::dot);
  EXPECT_EQ(format_from_extension("b.xml"), GraphFormat::graphml);
  std::string message = data_error_of([] { format_from_extension("dir/graph.bin"); });
  EXPECT_NE(message.find("dir/graph.bin"), std::string::npos) << message;
  EXPECT_NE(message.find(".graphml"), std::string::npos) << message;
}

TEST(GraphFile, MissingFileIsADataErrorNamingThePath) {
  std::string message = data_error_of([] { read_graph("/nonexistent/dir/structure.json"); });
  EXPECT_NE(message.find("/nonexistent/dir/structure.json"), std::string::npos) << message;
  EXPECT_NE(message.find("no such"), std::string::npos) << message;
  EXPECT_NE(data_error_of([] {
              write_graph(directed_sample, "/nonexistent/dir/out.json");
            }).find("/nonexistent/dir/out.json"),
            std::string::npos);
}

TEST(EdgeList, CommentsBlankLinesWeightsAndNoHeader) {
  EdgeListGraph graph = parse_graph("# made by hand\n\n0 1\n  2 1 0.5\n1 3 {}\n", GraphFormat::edgelist, "x");
  EXPECT_EQ(graph.num_vertices, 4);
  EXPECT_TRUE(graph.directed);
  EXPECT_EQ(graph.edges, (std::vector<Edge>{{0, 1}, {2, 1}, {1, 3}}));
}

TEST(EdgeList, MalformedLineIsNamed) {
  std::string message =
      data_error_of([] { parse_graph("0 1\n1 2\n2 x\n", GraphFormat::edgelist, "net.edges"); });
  EXPECT_NE(message.find("net.edges:3:"), std::string::npos) << message;
  EXPECT_NE(message.find("2 x"), std::string::npos) << message;
  EXPECT_NE(data_error_of([] { parse_graph("0\n", GraphFormat::edgelist, "f"); }).find("f:1:"),
            std::string::npos);
  EXPECT_NE(data_error_of([] { parse_graph("0 -1\n", GraphFormat::edgelist, "f"); }).find("f:1:"),
            std::string::npos);
  EXPECT_NE(data_error_of([] { parse_graph("0 1 2 3\n", GraphFormat::edgelist, "f"); }).find("f:1:"),
            std::string::npos);
}

TEST(EdgeList, HeaderIsChecked) {
  std::string message =
      data_error_of([] { parse_graph("# vertices: 3\n0 1\n1 3\n", GraphFormat::edgelist, "small.txt"); });
  EXPECT_NE(message.find("small.txt:3:"), std::string::npos) << message;
  EXPECT_NE(message.find("vertex 3"), std::string::npos) << message;
  EXPECT_NE(
      data_error_of([] { parse_graph("# directed: maybe\n", GraphFormat::edgelist, "f"); }).find("f:1:"),
      std::string::npos);
}

TEST(GraphML, MalformedXmlNamesTheLine) {
  std::string text =
      "<?xml version=\"1.0\"?>\n<graphml>\n<graph edgedefault=\"directed\">\n<node id=\"a\"/>\n<node "
      "id=b/>\n</graph>\n</graphml>\n";
  std::string message = data_error_of([&] { parse_graph(text, GraphFormat::graphml, "broken.graphml"); });
  EXPECT_NE(message.find("broken.graphml:5:"), std::string::npos) << message;
  message = data_error_of([&] { parse_graph("<graphml><graph>", GraphFormat::graphml, "cut.graphml"); });
  EXPECT_NE(message.find("cut.graphml:1:"), std::string::npos) << message;
}

TEST(GraphML, NotGraphmlIsADataError) {
  std::string message = data_error_of([] { parse_graph("<svg></svg>", GraphFormat::graphml, "pic.xml"); });
  EXPECT_NE(message.find("pic.xml"), std::string::npos) << message;
}

TEST(GraphML, ForeignFileWithNamedNodesAndData) {
  std::string text = R"(<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="w" for="edge" attr.name="weight" attr.type="double"/>
  <graph id="G" edgedefault="undirected">
    <node id="in"/><node id="hidden"/><node id="out"/>
    <edge source="in" target="hidden"><data key="w">0.5</data></edge>
    <edge source="hidden" target="out"/>
  </graph>
</graphml>)";
  EdgeListGraph graph = parse_graph(text, GraphFormat::graphml, "nx.graphml");
  EXPECT_FALSE(graph.directed);
  EXPECT_EQ(graph.num_vertices, 3);
  EXPECT_EQ(graph.edges, (std::vector<Edge>{{0, 1}, {1, 2}}));
}

TEST(Dot, NamedNodesAreNumberedInNameOrder) {
  // w, x, y, z -> 0, 1, 2, 3
  EdgeListGraph graph = parse_graph("digraph { x -> y [weight=2]; y -> z; w; }", GraphFormat::dot, "g.dot");
  EXPECT_TRUE(graph.directed);
  EXPECT_EQ(graph.num_vertices, 4);
  EXPECT_EQ(graph.edges, (std::vector<Edge>{{1, 2}, {2, 3}}));
}

TEST(Dot, UndirectedGraphWithIntegerNames) {
  EdgeListGraph graph = parse_graph("graph { 3 -- 1; 1 -- 0; }", GraphFormat::dot, "g.dot");
  EXPECT_FALSE(graph.directed);
  EXPECT_EQ(graph.num_vertices, 4);
  EXPECT_EQ(graph.edges.size(), 2U);
}

TEST(Dot, MalformedIsADataErrorNamingTheFile) {
  std::string message = data_error_of([] { parse_graph("digraph { 0 -> ; }", GraphFormat::dot, "bad.dot"); });
  EXPECT_NE(message.find("bad.dot"), std::string::npos) << message;
}

TEST(Json, MalformedNamesTheLineAndBadEdgesTheirIndex) {
  std::string message =
      data_error_of([] { parse_graph("{\"edges\": [\n[0, 1],\n[1 2]]}", GraphFormat::json, "g.json"); });
  EXPECT_NE(message.find("g.json"), std::string::npos) << message;
  EXPECT_NE(message.find("line 3"), std::string::npos) << message;
  message = data_error_of([] { parse_graph("{\"edges\": [[0, 1], [1, -2]]}", GraphFormat::json, "g.json"); });
  EXPECT_NE(message.find("edges[1]"), std::string::npos) << message;
  message = data_error_of(
      [] { parse_graph("{\"num_vertices\": 2, \"edges\": [[0, 2]]}", GraphFormat::json, "g.json"); });
  EXPECT_NE(message.find("vertex 2"), std::string::npos) << message;
  EXPECT_NE(data_error_of([] { parse_graph("[1, 2]", GraphFormat::json, "g.json"); }).find("\"edges\""),
            std::string::npos);
}

TEST(Json, ANumberTooLargeForADoubleIsADataError) {
  // found by the fuzz target (tools/fuzz.sh): nlohmann throws out_of_range, not parse_error, for it
  std::string message = data_error_of([] { parse_graph("311e331", GraphFormat::json, "huge.json"); });
  EXPECT_NE(message.find("huge.json: unusable JSON graph"), std::string::npos) << message;
  EXPECT_NE(message.find("number overflow"), std::string::npos) << message;
}

TEST(LayeredGraphFile, ToEdgeListIsDirectedAndSorted) {
  EdgeListGraph graph = to_edge_list(LayeredGraph(3, {{1, 2}, {0, 1}}));
  EXPECT_TRUE(graph.directed);
  EXPECT_EQ(graph.num_vertices, 3);
  EXPECT_EQ(graph.edges, (std::vector<Edge>{{0, 1}, {1, 2}}));
}

}  // namespace
}  // namespace structlab::graph
