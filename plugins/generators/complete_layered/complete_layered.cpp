// Generator plugin complete_layered: the dense feed-forward wiring of given layer widths.

#include "structlab/graph/random_graphs.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class CompleteLayered : public structlab::plugin::StructureGenerator {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"dense feed-forward wiring: every vertex of a layer feeds every vertex of the next; directed",
            "1.0.0",
            {structlab::required_param("widths", structlab::ParamType::integer_list,
                                       "vertices per layer, e.g. [784, 100, 100, 10]")}};
  }

  explicit CompleteLayered(const structlab::Params& params) : widths_(params.get_int_list("widths")) {
    if (widths_.empty()) params.fail("widths", "must list at least one layer");
    for (std::size_t layer = 0; layer < widths_.size(); ++layer) {
      if (widths_[layer] < 1) {
        params.fail("widths", "layer " + std::to_string(layer) + " has width " +
                                  std::to_string(widths_[layer]) + "; every width must be at least 1");
      }
    }
  }

  structlab::graph::EdgeListGraph generate(std::uint64_t /*seed*/) const override {
    return structlab::graph::complete_layered(widths_);
  }

 private:
  std::vector<std::int64_t> widths_;
};

}  // namespace

STRUCTLAB_REGISTER_GENERATOR(CompleteLayered, complete_layered)
