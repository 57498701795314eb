// Model kind `relational_mlp`: graph2nn's relational graph MLP (You et al. 2020). The run's structure, read as an
// undirected graph of n vertices with a self-loop at each, partitions every hidden layer's units into n groups;
// group v of a layer reads only from the groups of v's neighbours (and v itself) in the layer below.

#include <memory>
#include <string>

#include "structlab/error.hpp"
#include "structlab/nn/masked_deep_ffn.hpp"
#include "structlab/plugin/model_kind.hpp"
#include "structlab/plugin/register.hpp"

namespace {

using structlab::ModelError;

// The group of each of \p units units split into \p groups groups as evenly as possible: the first
// (units mod groups) groups have one unit more than the others, and groups are contiguous runs of units.
torch::Tensor group_of_units(std::int64_t units, std::int64_t groups) {
  const std::int64_t base = units / groups;
  const std::int64_t larger = units % groups;  // groups 0..larger-1 hold base + 1 units
  auto group = torch::empty({units}, torch::kLong);
  auto* out = group.data_ptr<std::int64_t>();
  for (std::int64_t u = 0; u < units; ++u) {
    out[u] = u < larger * (base + 1) ? u / (base + 1) : larger + (u - larger * (base + 1)) / base;
  }
  return group;
}

// The relational graph: the structure's edges in both directions plus a self-loop at every vertex, [n, n] bool.
torch::Tensor relational_adjacency(const structlab::graph::LayeredGraph& structure) {
  const std::int64_t n = structure.num_vertices();
  auto adjacency = torch::eye(n, torch::kBool);
  auto* cells = adjacency.data_ptr<bool>();
  for (const auto& edge : structure.edges()) {
    cells[edge.source * n + edge.target] = true;
    cells[edge.target * n + edge.source] = true;
  }
  return adjacency;
}

// The mask of a layer whose units (rows) and inputs (columns) are split into the relational graph's groups.
torch::Tensor relational_mask(const torch::Tensor& adjacency, std::int64_t out_units, std::int64_t in_units) {
  const std::int64_t n = adjacency.size(0);
  return adjacency.index_select(0, group_of_units(out_units, n)).index_select(1, group_of_units(in_units, n));
}

class RelationalMlp : public structlab::plugin::ModelKind {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"relational graph MLP (graph2nn, You et al. 2020): every hidden layer's units split into one group per "
            "structure vertex; a group reads the groups of its neighbours and itself in the layer below",
            "1.0.0",
            {structlab::optional_param("layers", std::int64_t{5}, "number of hidden layers"),
             structlab::optional_param("width", std::int64_t{512},
                                       "units per hidden layer, at least the structure's vertex count"),
             structlab::optional_param("first_layer", std::string("dense"),
                                       "dense (graph2nn) or masked: input features split into groups too"),
             structlab::optional_param("last_layer", std::string("dense"),
                                       "dense (graph2nn) or masked: outputs split into groups too"),
             structlab::optional_param("bias", true, "whether every layer has a bias")}};
  }

  explicit RelationalMlp(const structlab::Params& params)
      : layers_(params.get_int("layers")),
        width_(params.get_int("width")),
        first_masked_(masked_option(params, "first_layer")),
        last_masked_(masked_option(params, "last_layer")),
        bias_(params.get_bool("bias")) {
    if (layers_ < 1) params.fail("layers", "expected at least 1 hidden layer, got " + std::to_string(layers_));
    if (width_ < 1) params.fail("width", "expected at least 1 unit, got " + std::to_string(width_));
  }

  bool needs_structure() const override { return true; }

  std::shared_ptr<structlab::nn::MaskedModel> build(
      const structlab::plugin::ModelContext& context) const override {
    if (context.structure == nullptr) {
      throw structlab::ConfigError(
          "model 'relational_mlp' builds on a structure (its relational graph), but the run has none: add a "
          "`structure:` section, e.g. structure: {plugin: ws_flex, n: 64, k: 8, p: 0.5}");
    }
    const std::int64_t n = context.structure->num_vertices();
    if (n < 1) throw ModelError("model 'relational_mlp': the structure has no vertices");
    if (width_ < n) {
      throw ModelError("model 'relational_mlp': width " + std::to_string(width_) + " is less than the structure's " +
                       std::to_string(n) + " vertices; every vertex needs at least one unit per layer (raise "
                       "model.width or use a smaller graph)");
    }
    std::int64_t input_features = 1;
    for (std::int64_t size : context.input_shape) input_features *= size;
    // every group of a masked first or last layer needs a unit, as in the hidden layers
    if (first_masked_ && input_features < n) {
      throw ModelError("model 'relational_mlp': first_layer: masked splits the " + std::to_string(input_features) +
                       " input features into one group per vertex, but the structure has " + std::to_string(n) +
                       " vertices; use first_layer: dense or a smaller graph");
    }
    if (last_masked_ && context.num_outputs < n) {
      throw ModelError("model 'relational_mlp': last_layer: masked splits the " + std::to_string(context.num_outputs) +
                       " outputs into one group per vertex, but the structure has " + std::to_string(n) +
                       " vertices; use last_layer: dense or a smaller graph");
    }
    structlab::nn::MaskedDeepFFN model(
        structlab::nn::MaskedDeepFFNOptions(context.input_shape, context.num_outputs,
                                            std::vector<std::int64_t>(static_cast<std::size_t>(layers_), width_))
            .bias(bias_));
    const torch::Tensor adjacency = relational_adjacency(*context.structure);
    auto layers = model->masked_layers();
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const bool first = i == 0;
      const bool last = i + 1 == layers.size();
      if ((first && !first_masked_) || (last && !last_masked_)) continue;
      layers[i].set_mask(relational_mask(adjacency, layers[i].out_features(), layers[i].in_features()));
    }
    model->apply_mask();
    return model.ptr();
  }

 private:
  static bool masked_option(const structlab::Params& params, const std::string& key) {
    const std::string& value = params.get_string(key);
    if (value != "dense" && value != "masked") params.fail(key, "expected dense or masked, got '" + value + "'");
    return value == "masked";
  }

  std::int64_t layers_;
  std::int64_t width_;
  bool first_masked_;
  bool last_masked_;
  bool bias_;
};

}  // namespace

STRUCTLAB_REGISTER_MODEL(RelationalMlp, relational_mlp)
