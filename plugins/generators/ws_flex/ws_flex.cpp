// Generator plugin ws_flex: Watts-Strogatz with a real average degree (You et al. 2020), undirected.

#include <cmath>

#include "structlab/graph/random_graphs.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class WsFlex : public structlab::plugin::StructureGenerator {
 public:
  static structlab::plugin::PluginInfo info() {
    return {
        "WS-flex (You et al. 2020): Watts-Strogatz with a real average degree k, round(k n / 2) edges; "
        "undirected",
        "1.0.0",
        {structlab::required_param("n", structlab::ParamType::integer, "number of vertices"),
         structlab::optional_param("k", 4.0, "average degree, a real number in [2, n-1]"),
         structlab::optional_param("p", 0.5, "probability of rewiring each ring edge")}};
  }

  explicit WsFlex(const structlab::Params& params)
      : n_(params.get_int("n")), k_(params.get_double("k")), p_(params.get_double("p")) {
    if (n_ < 3) params.fail("n", "must be at least 3");
    if (!(k_ >= 2.0 && k_ <= static_cast<double>(n_ - 1))) {
      params.fail("k", "must be in [2, n-1] = [2, " + std::to_string(n_ - 1) + "]");
    }
    if (!(p_ >= 0.0 && p_ <= 1.0)) params.fail("p", "must be a probability in [0, 1]");
  }

  structlab::graph::EdgeListGraph generate(std::uint64_t seed) const override {
    structlab::Rng rng(seed);
    return structlab::graph::ws_flex(n_, k_, p_, rng);
  }

 private:
  std::int64_t n_;
  double k_;
  double p_;
};

}  // namespace

STRUCTLAB_REGISTER_GENERATOR(WsFlex, ws_flex)
