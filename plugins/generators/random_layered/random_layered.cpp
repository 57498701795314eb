// Generator plugin random_layered: a random DAG on given layers, with skip connections.

#include "structlab/graph/random_graphs.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class RandomLayered : public structlab::plugin::StructureGenerator {
 public:
  static structlab::plugin::PluginInfo info() {
    return {
        "random DAG on given layers: edges to the next layer with probability p_next, to farther layers "
        "with p_skip; directed",
        "1.0.0",
        {structlab::required_param("widths", structlab::ParamType::integer_list,
                                   "vertices per layer, e.g. [784, 100, 10]"),
         structlab::optional_param("p_next", 0.5, "probability of each edge to the next layer"),
         structlab::optional_param("p_skip", 0.0, "probability of each edge to a layer two or more ahead"),
         structlab::optional_param(
             "keep_layers", false,
             "link every vertex to the previous and next layer so the layering keeps widths")}};
  }

  explicit RandomLayered(const structlab::Params& params) {
    options_.widths = params.get_int_list("widths");
    options_.next_probability = params.get_double("p_next");
    options_.skip_probability = params.get_double("p_skip");
    options_.keep_layers = params.get_bool("keep_layers");
    if (options_.widths.empty()) params.fail("widths", "must list at least one layer");
    for (std::size_t layer = 0; layer < options_.widths.size(); ++layer) {
      if (options_.widths[layer] < 1) {
        params.fail("widths", "layer " + std::to_string(layer) + " has width " +
                                  std::to_string(options_.widths[layer]) +
                                  "; every width must be at least 1");
      }
    }
    if (!(options_.next_probability >= 0.0 && options_.next_probability <= 1.0)) {
      params.fail("p_next", "must be a probability in [0, 1]");
    }
    if (!(options_.skip_probability >= 0.0 && options_.skip_probability <= 1.0)) {
      params.fail("p_skip", "must be a probability in [0, 1]");
    }
  }

  structlab::graph::EdgeListGraph generate(std::uint64_t seed) const override {
    structlab::Rng rng(seed);
    return structlab::graph::random_layered(options_, rng);
  }

 private:
  structlab::graph::RandomLayeredOptions options_;
};

}  // namespace

STRUCTLAB_REGISTER_GENERATOR(RandomLayered, random_layered)
