#pragma once
/// \file
/// Structure generator plugins: produce the graph a model is built on.

#include <cstdint>

#include "structlab/graph/edge_list.hpp"

namespace structlab::plugin {

/// A structure generator; constructed with its validated Params, called once per run.
class StructureGenerator {
 public:
  virtual ~StructureGenerator() = default;
  /// The graph for \p seed; the same seed gives the same graph on every machine.
  /// Undirected results are oriented by the runner (`orient` in the spec).
  virtual graph::EdgeListGraph generate(std::uint64_t seed) const = 0;
};

}  // namespace structlab::plugin
