#pragma once
// The parameters shared by the ring-lattice generators (watts_strogatz, newman_watts_strogatz): n vertices,
// each linked to its k nearest ring neighbours, and a probability p of changing each ring edge.
// Header-only; included by the built-in generator plugins that use it.

#include <cstdint>
#include <string>
#include <vector>

#include "structlab/params.hpp"

namespace structlab_generators {

/// Validated n, k, p of a ring lattice; ConfigError (via Params::fail) naming the key otherwise.
struct RingLattice {
  std::int64_t n;  ///< vertices
  std::int64_t k;  ///< ring neighbours of each vertex
  double p;        ///< probability applied to each ring edge

  /// Reads and checks n >= 1, k even and in 0..n-1, p in [0, 1].
  explicit RingLattice(const structlab::Params& params)
      : n(params.get_int("n")), k(params.get_int("k")), p(params.get_double("p")) {
    if (n < 1) params.fail("n", "must be at least 1");
    if (k < 0 || k % 2 != 0) params.fail("k", "must be even and non-negative (k/2 neighbours on each side)");
    if (k >= n) params.fail("k", "must be less than n = " + std::to_string(n));
    if (!(p >= 0.0 && p <= 1.0)) params.fail("p", "must be a probability in [0, 1]");
  }

  /// The declared parameters: n required, k = 4, and p with the generator's own default and meaning.
  static std::vector<structlab::ParamSpec> params(double default_p, const std::string& p_doc) {
    return {structlab::required_param("n", structlab::ParamType::integer, "number of vertices"),
            structlab::optional_param("k", std::int64_t{4}, "ring neighbours of each vertex (even, < n)"),
            structlab::optional_param("p", default_p, p_doc)};
  }
};

}  // namespace structlab_generators
