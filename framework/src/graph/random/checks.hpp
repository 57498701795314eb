#pragma once
// Argument checks shared by the random graph models (private to the graph code).

#include <sstream>
#include <string>

#include "structlab/error.hpp"
#include "structlab/graph/size_estimate.hpp"

namespace structlab::graph::detail {

/// \p value as a user wrote it: 0.5, not to_string's 0.500000.
template <typename Value>
std::string shown(Value value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

/// Throws GraphError "<model>: <argument> must be <expectation>, got <value>" when \p ok is false.
template <typename Value>
void require(bool ok, const char* model, const char* argument, const char* expectation, Value value) {
  if (!ok) {
    throw GraphError(std::string(model) + ": " + argument + " must be " + expectation + ", got " +
                     shown(value));
  }
}

/// Checks that \p p is a probability.
inline void require_probability(const char* model, const char* argument, double p) {
  require(p >= 0.0 && p <= 1.0, model, argument, "a probability in [0, 1]", p);
}

/// Throws GraphError "<model>: <arguments> give a graph of ... that needs about X of memory ..." when a graph
/// of \p vertices vertices and about \p edges edges would not fit in memory; called before allocating.
inline void require_fits(const char* model, const std::string& arguments, double vertices, double edges) {
  if (auto refusal = graph_size_refusal(vertices, edges)) {
    throw GraphError(std::string(model) + ": " + arguments + ": " + *refusal);
  }
}

}  // namespace structlab::graph::detail
