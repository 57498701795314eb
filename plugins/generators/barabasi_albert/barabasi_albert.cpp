// Generator plugin barabasi_albert: preferential attachment, undirected.

#include "structlab/graph/random_graphs.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class BarabasiAlbert : public structlab::plugin::StructureGenerator {
 public:
  static structlab::plugin::PluginInfo info() {
    return {
        "Barabasi-Albert preferential attachment: each new vertex links to m vertices chosen by degree; "
        "undirected, (n - m) m edges",
        "1.0.0",
        {structlab::required_param("n", structlab::ParamType::integer, "number of vertices"),
         structlab::optional_param("m", std::int64_t{2}, "edges from each new vertex (1 <= m < n)")}};
  }

  explicit BarabasiAlbert(const structlab::Params& params)
      : n_(params.get_int("n")), m_(params.get_int("m")) {
    if (n_ < 2) params.fail("n", "must be at least 2");
    if (m_ < 1) params.fail("m", "must be at least 1");
    if (m_ >= n_) params.fail("m", "must be less than n = " + std::to_string(n_));
  }

  structlab::graph::EdgeListGraph generate(std::uint64_t seed) const override {
    structlab::Rng rng(seed);
    return structlab::graph::barabasi_albert(n_, m_, rng);
  }

 private:
  std::int64_t n_;
  std::int64_t m_;
};

}  // namespace

STRUCTLAB_REGISTER_GENERATOR(BarabasiAlbert, barabasi_albert)
