// Generator plugin watts_strogatz: a ring lattice with rewired edges, undirected.

#include "structlab/graph/random_graphs.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class WattsStrogatz : public structlab::plugin::StructureGenerator {
 public:
  static structlab::plugin::PluginInfo info() {
    return {
        "Watts-Strogatz small world: ring of n vertices, k neighbours each, edges rewired with probability "
        "p; undirected",
        "1.0.0",
        {structlab::required_param("n", structlab::ParamType::integer, "number of vertices"),
         structlab::optional_param("k", std::int64_t{4}, "ring neighbours of each vertex (even, < n)"),
         structlab::optional_param("p", 0.1, "probability of rewiring each ring edge")}};
  }

  explicit WattsStrogatz(const structlab::Params& params)
      : n_(params.get_int("n")), k_(params.get_int("k")), p_(params.get_double("p")) {
    if (n_ < 1) params.fail("n", "must be at least 1");
    if (k_ < 0 || k_ % 2 != 0)
      params.fail("k", "must be even and non-negative (k/2 neighbours on each side)");
    if (k_ >= n_) params.fail("k", "must be less than n = " + std::to_string(n_));
    if (!(p_ >= 0.0 && p_ <= 1.0)) params.fail("p", "must be a probability in [0, 1]");
  }

  structlab::graph::EdgeListGraph generate(std::uint64_t seed) const override {
    structlab::Rng rng(seed);
    return structlab::graph::watts_strogatz(n_, k_, p_, rng);
  }

 private:
  std::int64_t n_;
  std::int64_t k_;
  double p_;
};

}  // namespace

STRUCTLAB_REGISTER_GENERATOR(WattsStrogatz, watts_strogatz)
