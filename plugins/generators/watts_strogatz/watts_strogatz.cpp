// Generator plugin watts_strogatz: a ring lattice with rewired edges, undirected.

#include "common/ring_lattice.hpp"
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
        "1.0.0", structlab_generators::RingLattice::params(0.1, "probability of rewiring each ring edge")};
  }

  explicit WattsStrogatz(const structlab::Params& params) : ring_(params) {}

  structlab::graph::EdgeListGraph generate(std::uint64_t seed) const override {
    structlab::Rng rng(seed);
    return structlab::graph::watts_strogatz(ring_.n, ring_.k, ring_.p, rng);
  }

 private:
  structlab_generators::RingLattice ring_;
};

}  // namespace

STRUCTLAB_REGISTER_GENERATOR(WattsStrogatz, watts_strogatz)
