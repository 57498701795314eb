#include "graph/io_limits.hpp"

#include <fmt/format.h>

#include "structlab/error.hpp"
#include "structlab/graph/size_estimate.hpp"

namespace structlab::graph::detail {
namespace {

const char* name_of(NestingSyntax syntax) {
  switch (syntax) {
    case NestingSyntax::json: return "JSON";
    case NestingSyntax::dot: return "DOT";
    case NestingSyntax::xml: return "GraphML (XML)";
  }
  return "graph file";
}

// Tracks depth and the line it is at; throws once the depth passes the limit.
class DepthCounter {
 public:
  DepthCounter(NestingSyntax syntax, const std::string& source) : syntax_(syntax), source_(source) {}

  void open() {
    if (++depth_ > kMaxGraphNesting) {
      throw DataError(fmt::format("{}: {} nested deeper than {} levels (at line {}); a graph file needs only a "
                                  "few levels, so this is not one structlab can read",
                                  source_, name_of(syntax_), kMaxGraphNesting, line_));
    }
  }
  // Stray closers are the parser's to report, with its own position.
  void close() {
    if (depth_ > 0) --depth_;
  }
  void count_line(char c) {
    if (c == '\n') ++line_;
  }

 private:
  NestingSyntax syntax_;
  const std::string& source_;
  int depth_ = 0;
  std::int64_t line_ = 1;
};

// Index just past the closing quote of the string starting at `start` (a quote), honouring backslashes.
std::size_t skip_quoted(std::string_view text, std::size_t start, DepthCounter& counter) {
  std::size_t i = start + 1;
  while (i < text.size() && text[i] != '"') {
    counter.count_line(text[i]);
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    ++i;
  }
  return i + 1;
}

// Index just past `terminator` from `start` on (or the end of text).
std::size_t skip_until(std::string_view text, std::size_t start, std::string_view terminator,
                       DepthCounter& counter) {
  std::size_t end = text.find(terminator, start);
  end = end == std::string_view::npos ? text.size() : end + terminator.size();
  for (std::size_t i = start; i < end; ++i) counter.count_line(text[i]);
  return end;
}

void check_brackets(std::string_view text, NestingSyntax syntax, DepthCounter& counter) {
  const bool dot = syntax == NestingSyntax::dot;
  int html_depth = 0;  // DOT's <html strings> nest their own < >
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    counter.count_line(c);
    if (html_depth > 0) {
      if (c == '<') {
        ++html_depth;
        counter.open();
      } else if (c == '>') {
        --html_depth;
        counter.close();
      }
      ++i;
      continue;
    }
    if (c == '"') {
      i = skip_quoted(text, i, counter);
      continue;
    }
    if (dot && c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      i = skip_until(text, i + 2, "*/", counter);
      continue;
    }
    if (dot && ((c == '/' && i + 1 < text.size() && text[i + 1] == '/') || c == '#')) {
      i = skip_until(text, i, "\n", counter);
      continue;
    }
    if (c == '[' || c == '{') counter.open();
    if (c == ']' || c == '}') counter.close();
    if (dot && c == '<') {
      ++html_depth;
      counter.open();
    }
    ++i;
  }
}

void check_elements(std::string_view text, DepthCounter& counter) {
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    counter.count_line(c);
    if (c != '<') {
      ++i;
      continue;
    }
    if (text.compare(i, 4, "<!--") == 0) {
      i = skip_until(text, i + 4, "-->", counter);
      continue;
    }
    if (text.compare(i, 9, "<![CDATA[") == 0) {
      i = skip_until(text, i + 9, "]]>", counter);
      continue;
    }
    const bool closing = i + 1 < text.size() && text[i + 1] == '/';
    const bool declaration = i + 1 < text.size() && (text[i + 1] == '?' || text[i + 1] == '!');
    // the end of the tag, past quoted attribute values (which may hold '>')
    std::size_t j = i + 1;
    char quote = 0;
    for (; j < text.size(); ++j) {
      counter.count_line(text[j]);
      if (quote != 0) {
        if (text[j] == quote) quote = 0;
      } else if (text[j] == '"' || text[j] == '\'') {
        quote = text[j];
      } else if (text[j] == '>') {
        break;
      }
    }
    const bool self_closing = j < text.size() && j > i + 1 && text[j - 1] == '/';
    if (closing) {
      counter.close();
    } else if (!declaration && !self_closing) {
      counter.open();
    }
    i = j + 1;
  }
}

}  // namespace

void check_nesting(std::string_view text, NestingSyntax syntax, const std::string& source) {
  DepthCounter counter(syntax, source);
  if (syntax == NestingSyntax::xml) {
    check_elements(text, counter);
  } else {
    check_brackets(text, syntax, counter);
  }
}

void check_graph_size(const EdgeListGraph& graph, const std::string& source) {
  if (auto refusal = graph_size_refusal(static_cast<double>(graph.num_vertices), static_cast<double>(graph.edges.size()))) {
    throw DataError(source + ": " + *refusal);
  }
}

}  // namespace structlab::graph::detail
