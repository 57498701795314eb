// Generator plugin newman_watts_strogatz: a ring lattice plus random shortcuts, undirected.

#include "common/ring_lattice.hpp"
#include "structlab/graph/random_graphs.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class NewmanWattsStrogatz : public structlab::plugin::StructureGenerator {
 public:
  static structlab::plugin::PluginInfo info() {
    return {
        "Newman-Watts-Strogatz small world: ring of n vertices, k neighbours each, plus a shortcut per ring "
        "edge with probability p; undirected",
        "1.0.0",
        structlab_generators::RingLattice::params(0.5, "probability of adding a shortcut for each ring edge")};
  }

  explicit NewmanWattsStrogatz(const structlab::Params& params) : ring_(params) {}

  structlab::graph::EdgeListGraph generate(std::uint64_t seed) const override {
    structlab::Rng rng(seed);
    return structlab::graph::newman_watts_strogatz(ring_.n, ring_.k, ring_.p, rng);
  }

 private:
  structlab_generators::RingLattice ring_;
};

}  // namespace

STRUCTLAB_REGISTER_GENERATOR(NewmanWattsStrogatz, newman_watts_strogatz)
