// The JSON graph format: {"directed": bool, "num_vertices": n, "edges": [[u, v], ...]}.

#include <nlohmann/json.hpp>

#include "graph/io_formats.hpp"
#include "structlab/error.hpp"

namespace structlab::graph::detail {
namespace {

bool is_vertex_id(const nlohmann::json& value) {
  return value.is_number_integer() && value.get<std::int64_t>() >= 0;
}

}  // namespace

EdgeListGraph parse_json(const std::string& text, const std::string& source) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message already says "at line L, column C"
    throw DataError(source + ": malformed JSON graph: " + e.what());
  } catch (const nlohmann::json::exception& e) {
    // e.g. a number too large for a double (found by the fuzz target: 311e331)
    throw DataError(source + ": unusable JSON graph: " + e.what());
  }
  if (!json.is_object() || !json.contains("edges") || !json["edges"].is_array()) {
    throw DataError(source + ": a JSON graph is an object with an \"edges\" array of [u, v] pairs");
  }
  EdgeListGraph graph{0, {}, true};
  if (json.contains("directed")) {
    if (!json["directed"].is_boolean()) throw DataError(source + ": \"directed\" must be true or false");
    graph.directed = json["directed"].get<bool>();
  }
  std::int64_t largest_id = -1;
  const auto& edges = json["edges"];
  graph.edges.reserve(edges.size());
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const auto& pair = edges[i];
    if (!pair.is_array() || pair.size() != 2 || !is_vertex_id(pair[0]) || !is_vertex_id(pair[1])) {
      throw DataError(source + ": edges[" + std::to_string(i) + "] is " + pair.dump() +
                      "; expected [u, v] with non-negative integer vertex ids");
    }
    Edge edge{pair[0].get<std::int64_t>(), pair[1].get<std::int64_t>()};
    largest_id = std::max({largest_id, edge.source, edge.target});
    graph.edges.push_back(edge);
  }
  graph.num_vertices = largest_id + 1;
  if (json.contains("num_vertices")) {
    if (!is_vertex_id(json["num_vertices"]))
      throw DataError(source + ": \"num_vertices\" must be a non-negative integer");
    graph.num_vertices = json["num_vertices"].get<std::int64_t>();
    if (largest_id >= graph.num_vertices) {
      throw DataError(source + ": vertex " + std::to_string(largest_id) +
                      " is outside \"num_vertices\": " + std::to_string(graph.num_vertices));
    }
  }
  return graph;
}

std::string format_json(const EdgeListGraph& graph) {
  nlohmann::json edges = nlohmann::json::array();
  for (const Edge& edge : graph.edges) edges.push_back({edge.source, edge.target});
  nlohmann::json json{
      {"directed", graph.directed}, {"num_vertices", graph.num_vertices}, {"edges", std::move(edges)}};
  return json.dump() + "\n";
}

}  // namespace structlab::graph::detail
