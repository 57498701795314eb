#pragma once
// Argument checks shared by the random graph models (private to the graph code).

#include <sstream>
#include <string>

#include "structlab/error.hpp"

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

}  // namespace structlab::graph::detail
