// Generator plugin from_model: the neuron and channel graph of a TorchScript model, as `structlab extract`
// finds it.

#include <cmath>
#include <cstdint>
#include <vector>

#include "structlab/graph/io.hpp"
#include "structlab/nn/extract_graph.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class FromModel : public structlab::plugin::StructureGenerator {
 public:
  static structlab::plugin::PluginInfo info() {
    return {
        "the graph of a TorchScript model's Linear and Conv2d layers: a vertex per input and output unit or "
        "channel, an edge per weight above the threshold (directed, as structlab extract writes it)",
        "1.0.0",
        {structlab::required_param("path", structlab::ParamType::string,
                                   "TorchScript model file (torch.jit.script or torch.jit.trace, saved)"),
         structlab::optional_param(
             "threshold", 0.0,
             "a weight is an edge when its magnitude is above this (0: every non-zero one)"),
         structlab::optional_param(
             "input_shape", std::vector<std::int64_t>{},
             "one sample's shape without the batch dimension, e.g. [1, 28, 28]: checked "
             "with one forward pass first; empty: no check")}};
  }

  explicit FromModel(const structlab::Params& params) : path_(params.get_string("path")) {
    if (path_.empty()) params.fail("path", "must name a TorchScript model file");
    options_.threshold = params.get_double("threshold");
    if (std::isnan(options_.threshold) || options_.threshold < 0)
      params.fail("threshold", "must be 0 or positive (a weight is an edge when its magnitude is above it)");
    options_.input_shape = params.get_int_list("input_shape");
    for (std::int64_t size : options_.input_shape) {
      if (size < 1)
        params.fail("input_shape",
                    "must list positive sizes (one sample's shape without the batch dimension), "
                    "e.g. [1, 28, 28], or be empty");
    }
  }

  /// Reads the model on every call; throws DataError naming the path when it is missing or not TorchScript,
  /// ModelError when its layers cannot be followed (structlab/nn/extract_graph.hpp).
  structlab::graph::EdgeListGraph generate(std::uint64_t /*seed*/) const override {
    return structlab::graph::to_edge_list(structlab::nn::extract_graph(path_, options_));
  }

 private:
  std::string path_;
  structlab::nn::ExtractOptions options_;
};

}  // namespace

STRUCTLAB_REGISTER_GENERATOR(FromModel, from_model)
