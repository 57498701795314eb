// Hostile graph input: files nested thousands deep and sizes beyond the machine's memory are refused with a
// message naming the file, before a recursive parser or an allocation can crash the program.

#include <gtest/gtest.h>

#include <string>

#include "structlab/error.hpp"
#include "structlab/graph/io.hpp"
#include "structlab/graph/random_graphs.hpp"
#include "structlab/graph/size_estimate.hpp"
#include "structlab/memory_limit.hpp"
#include "structlab/random.hpp"

namespace structlab::graph {
namespace {

template <typename Exception, typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Exception& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong exception type: ") + e.what();
  }
  return "no exception";
}

std::string repeated(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

TEST(GraphInputLimits, JsonNested100000DeepIsRefusedBeforeParsing) {
  std::string text = "{\"edges\": " + repeated("[", 100000) + repeated("]", 100000) + "}";
  std::string message = error_of<DataError>([&] { parse_graph(text, GraphFormat::json, "deep.json"); });
  EXPECT_NE(message.find("deep.json: JSON nested deeper than 256 levels (at line 1)"), std::string::npos)
      << message;
}

TEST(GraphInputLimits, DotNested20000DeepIsRefusedBeforeParsing) {
  std::string text = "digraph {\n" + repeated("subgraph {", 20000) + repeated("}", 20000) + "\n}\n";
  std::string message = error_of<DataError>([&] { parse_graph(text, GraphFormat::dot, "deep.dot"); });
  EXPECT_NE(message.find("deep.dot: DOT nested deeper than 256 levels (at line 2)"), std::string::npos)
      << message;
}

TEST(GraphInputLimits, GraphmlNestedDeepIsRefusedBeforeParsing) {
  std::string text = "<?xml version=\"1.0\"?>\n<graphml>" + repeated("<a x=\"1>\">", 5000) +
                     repeated("</a>", 5000) + "</graphml>\n";
  std::string message = error_of<DataError>([&] { parse_graph(text, GraphFormat::graphml, "deep.graphml"); });
  EXPECT_NE(message.find("deep.graphml: GraphML (XML) nested deeper than 256 levels"), std::string::npos)
      << message;
}

TEST(GraphInputLimits, BracketsInsideStringsAndCommentsDoNotCount) {
  // 300 brackets in a DOT label, a DOT comment and a JSON string: not nesting
  std::string brackets = repeated("[{", 300);
  std::string dot = "digraph {\n  0 -> 1 [label=\"" + brackets + "\"];\n  /* " + brackets + " */\n}\n";
  EXPECT_EQ(parse_graph(dot, GraphFormat::dot, "labels.dot").edges.size(), 1u);
  std::string json = "{\"note\": \"" + brackets + "\", \"edges\": [[0, 1]]}";
  EXPECT_EQ(parse_graph(json, GraphFormat::json, "note.json").edges.size(), 1u);
}

TEST(GraphInputLimits, EdgeListWithVertex3000000000SaysWhatItWouldNeed) {
  if (physical_memory_bytes() > 190'000'000'000ULL) GTEST_SKIP() << "this machine could hold it";
  std::string message =
      error_of<DataError>([&] { parse_graph("0 3000000000\n", GraphFormat::edgelist, "huge.txt"); });
  EXPECT_NE(message.find("huge.txt: needs about 192.0 GB of memory for a graph of 3000000001 vertices and 1 "
                         "edges; this machine has"),
            std::string::npos)
      << message;
}

TEST(GraphInputLimits, JsonDeclaringTooManyVerticesIsRefused) {
  if (physical_memory_bytes() > 6'000'000'000'000'000ULL) GTEST_SKIP() << "this machine could hold it";
  std::string text = "{\"num_vertices\": 100000000000000000, \"edges\": [[0, 1]]}";
  std::string message = error_of<DataError>([&] { parse_graph(text, GraphFormat::json, "big.json"); });
  EXPECT_NE(message.find("big.json: needs about"), std::string::npos) << message;
  EXPECT_NE(message.find("1e+17 vertices"), std::string::npos) << message;
}

TEST(GraphInputLimits, ErdosRenyiBeyondMemoryIsRefusedBeforeGenerating) {
  Rng rng(1);
  std::string message = error_of<GraphError>([&] { erdos_renyi_gnp(1'000'000, 0.5, rng); });
  EXPECT_NE(message.find("erdos_renyi: n = 1000000, p = 0.5: needs about 16.0 TB of memory for a graph of "
                         "1000000 vertices and 249999750000 edges; this machine has"),
            std::string::npos)
      << message;
}

TEST(GraphInputLimits, CompleteLayeredBeyondMemoryIsRefused) {
  std::string message = error_of<GraphError>([&] { complete_layered({10'000'000, 10'000'000}); });
  EXPECT_NE(message.find("complete_layered: these widths: needs about 6.4 PB"), std::string::npos) << message;
}

TEST(GraphInputLimits, SmallGraphsFit) {
  EXPECT_FALSE(graph_size_refusal(1000, 10000).has_value());
  EXPECT_TRUE(graph_size_refusal(1e15, 0).has_value());
}

TEST(MemoryLimit, FormatsBytesInDecimalUnits) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(3.4e6), "3.4 MB");
  EXPECT_EQ(format_bytes(4e12), "4.0 TB");
}

}  // namespace
}  // namespace structlab::graph
