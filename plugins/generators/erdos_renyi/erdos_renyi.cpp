// Generator plugin erdos_renyi: G(n, p) or G(n, m), undirected.

#include "structlab/graph/random_graphs.hpp"
#include "structlab/graph/size_estimate.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class ErdosRenyi : public structlab::plugin::StructureGenerator {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"Erdos-Renyi random graph: G(n, p) or G(n, m), undirected",
            "1.0.0",
            {structlab::required_param("n", structlab::ParamType::integer, "number of vertices"),
             structlab::optional_param("p", -1.0, "edge probability for G(n, p); -1: use m"),
             structlab::optional_param("m", std::int64_t{-1}, "number of edges for G(n, m); -1: use p")}};
  }

  explicit ErdosRenyi(const structlab::Params& params)
      : n_(params.get_int("n")), p_(params.get_double("p")), m_(params.get_int("m")) {
    if (n_ < 1) params.fail("n", "must be at least 1");
    bool use_p = p_ != -1.0;
    bool use_m = m_ != -1;
    if (use_p == use_m) params.fail(use_p ? "m" : "p", "give exactly one of p (G(n, p)) and m (G(n, m))");
    if (use_p && !(p_ >= 0.0 && p_ <= 1.0)) params.fail("p", "must be a probability in [0, 1]");
    std::int64_t pairs = n_ * (n_ - 1) / 2;
    if (use_m && (m_ < 0 || m_ > pairs)) {
      params.fail("m", "must be in 0.." + std::to_string(pairs) + " (all pairs of n = " + std::to_string(n_) +
                           " vertices)");
    }
    // refused here, at validation, with what it would need, rather than as std::bad_alloc mid-run
    double edges = use_m ? static_cast<double>(m_) : p_ * static_cast<double>(n_) * static_cast<double>(n_ - 1) / 2.0;
    if (auto refusal = structlab::graph::graph_size_refusal(static_cast<double>(n_), edges)) {
      params.fail(use_m ? "m" : "p", *refusal);
    }
  }

  structlab::graph::EdgeListGraph generate(std::uint64_t seed) const override {
    structlab::Rng rng(seed);
    return m_ >= 0 ? structlab::graph::erdos_renyi_gnm(n_, m_, rng)
                   : structlab::graph::erdos_renyi_gnp(n_, p_, rng);
  }

 private:
  std::int64_t n_;
  double p_;
  std::int64_t m_;
};

}  // namespace

STRUCTLAB_REGISTER_GENERATOR(ErdosRenyi, erdos_renyi)
