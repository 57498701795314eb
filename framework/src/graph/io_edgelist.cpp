// The plain edge-list format: `u v` per line, `#` comments, optional `# vertices:` / `# directed:` header.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string_view>

#include "graph/io_formats.hpp"
#include "structlab/error.hpp"

namespace structlab::graph::detail {
namespace {

std::string_view trim(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

// Splits off the next whitespace-separated field of `rest`.
std::string_view next_field(std::string_view& rest) {
  rest = trim(rest);
  auto end = rest.find_first_of(" \t");
  std::string_view field = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  return field;
}

bool parse_id(std::string_view field, std::int64_t& id) {
  auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), id);
  return error == std::errc() && end == field.data() + field.size() && id >= 0;
}

class EdgeListParser {
 public:
  explicit EdgeListParser(const std::string& source) : source_(source) {}

  EdgeListGraph parse(const std::string& text) {
    std::string_view rest(text);
    while (!rest.empty()) {
      ++line_;
      auto end = rest.find('\n');
      std::string_view line = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
      parse_line(trim(line));
    }
    if (!declared_vertices_) graph_.num_vertices = largest_id_ + 1;
    return std::move(graph_);
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw DataError(fmt::format("{}:{}: {}", source_, line_, message));
  }

  void parse_line(std::string_view line) {
    if (line.empty()) return;
    if (line.front() == '#') return parse_header(trim(line.substr(1)));
    std::string_view rest = line;
    std::string_view first = next_field(rest);
    std::string_view second = next_field(rest);
    Edge edge;
    if (second.empty() || !parse_id(first, edge.source) || !parse_id(second, edge.target)) {
      fail(fmt::format("expected an edge as two vertex ids 'u v' (non-negative integers), got '{}'", line));
    }
    next_field(rest);  // a weight or networkx's '{}' attribute field
    if (!trim(rest).empty()) fail(fmt::format("expected 'u v' and at most one more field, got '{}'", line));
    std::int64_t larger = std::max(edge.source, edge.target);
    if (declared_vertices_ && larger >= graph_.num_vertices) {
      fail(fmt::format("vertex {} is outside the declared 0..{} ('# vertices: {}')", larger,
                       graph_.num_vertices - 1, graph_.num_vertices));
    }
    largest_id_ = std::max(largest_id_, larger);
    graph_.edges.push_back(edge);
  }

  void parse_header(std::string_view comment) {
    auto colon = comment.find(':');
    if (colon == std::string_view::npos) return;
    std::string_view key = trim(comment.substr(0, colon));
    std::string_view value = trim(comment.substr(colon + 1));
    if (key == "vertices") {
      std::int64_t count = 0;
      if (!parse_id(value, count))
        fail(fmt::format("'# vertices:' needs a non-negative integer, got '{}'", value));
      if (!graph_.edges.empty()) fail("'# vertices:' must come before the first edge");
      graph_.num_vertices = count;
      declared_vertices_ = true;
    } else if (key == "directed") {
      if (value != "true" && value != "false")
        fail(fmt::format("'# directed:' needs true or false, got '{}'", value));
      graph_.directed = value == "true";
    }
  }

  const std::string& source_;
  EdgeListGraph graph_{0, {}, /*directed=*/true};
  bool declared_vertices_ = false;
  std::int64_t largest_id_ = -1;
  std::int64_t line_ = 0;
};

}  // namespace

EdgeListGraph parse_edgelist(const std::string& text, const std::string& source) {
  return EdgeListParser(source).parse(text);
}

std::string format_edgelist(const EdgeListGraph& graph) {
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out), "# vertices: {}\n# directed: {}\n", graph.num_vertices,
                 graph.directed ? "true" : "false");
  for (const Edge& edge : graph.edges)
    fmt::format_to(std::back_inserter(out), "{} {}\n", edge.source, edge.target);
  return fmt::to_string(out);
}

}  // namespace structlab::graph::detail
