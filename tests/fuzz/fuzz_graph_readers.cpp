// libFuzzer target: every graph reader (edge list, GraphML, DOT, JSON) on arbitrary text. Any exception other
// than structlab::Error, and any crash, is a finding; the first byte picks the format.

#include <cstddef>
#include <cstdint>
#include <string>

#include "structlab/error.hpp"
#include "structlab/graph/io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  using structlab::graph::GraphFormat;
  const GraphFormat formats[] = {GraphFormat::edgelist, GraphFormat::graphml, GraphFormat::dot, GraphFormat::json};
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    structlab::graph::parse_graph(text, formats[data[0] % 4], "fuzz-input");
  } catch (const structlab::Error&) {
    // a message for the user: the expected outcome for malformed input
  }
  return 0;
}
