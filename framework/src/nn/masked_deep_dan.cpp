#include "structlab/nn/masked_deep_dan.hpp"

#include <cmath>

#include "nn/dan_hidden.hpp"
#include "nn/dan_plan.hpp"
#include "nn/model_input.hpp"
#include "structlab/nn/init_generator.hpp"
#include "structlab/error.hpp"

namespace structlab::nn {
namespace {

constexpr const char* kModel = "MaskedDeepDAN";

torch::Tensor int64_tensor(const std::vector<std::int64_t>& values) {
  return torch::tensor(at::ArrayRef<std::int64_t>(values), torch::kInt64);
}

}  // namespace

DanAggregate parse_dan_aggregate(const std::string& text) {
  if (text == "sum_of_activations") return DanAggregate::sum_of_activations;
  if (text == "activation_of_sum") return DanAggregate::activation_of_sum;
  throw ConfigError("aggregate '" + text +
                    "' is unknown; expected 'sum_of_activations' or 'activation_of_sum'");
}

const char* to_string(DanAggregate aggregate) {
  return aggregate == DanAggregate::sum_of_activations ? "sum_of_activations" : "activation_of_sum";
}

struct MaskedDeepDANImpl::Layout {
  detail::DanPlan plan;
  detail::DanPlanTensors tensors;
};

MaskedDeepDANImpl::MaskedDeepDANImpl(const graph::LayeredGraph& structure,
                                     const MaskedDeepDANOptions& options_)
    : options(options_) {
  input_features_ = detail::checked_feature_count(options.input_shape(), kModel);
  detail::check_output_count(options.num_outputs(), kModel);
  auto layout = std::make_shared<Layout>();
  layout->plan = detail::plan_dan(structure, options.sinks_to_output());
  const auto& plan = layout->plan;

  input_layer_ = register_module("input", MaskedLinear(input_features_, plan.layer_size(0)));

  if (!plan.blocks.empty()) {
    // One tensor op each for all hidden weights, biases and masks instead of thousands of small ones.
    // Bounds as torch::nn::Linear: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias.
    torch::NoGradGuard no_grad;
    std::vector<float> bounds;
    std::vector<std::int64_t> weight_counts, bias_counts;
    for (const auto& block : plan.blocks) {
      bounds.push_back(static_cast<float>(1.0 / std::sqrt(static_cast<double>(block.cols))));
      weight_counts.push_back(block.rows * block.cols);
      bias_counts.push_back(block.rows);
    }
    auto bound_per_block = torch::tensor(at::ArrayRef<float>(bounds));
    auto weights = torch::empty({plan.weight_entries})
                       .uniform_(-1, 1, init_generator())
                       .mul_(torch::repeat_interleave(bound_per_block, int64_tensor(weight_counts)));
    auto biases = torch::empty({plan.bias_entries})
                      .uniform_(-1, 1, init_generator())
                      .mul_(torch::repeat_interleave(bound_per_block, int64_tensor(bias_counts)));
    auto masks = torch::zeros({plan.weight_entries}, torch::kBool);
    if (!plan.edge_entries.empty()) masks.index_fill_(0, int64_tensor(plan.edge_entries), true);

    hidden_layers_.reserve(plan.blocks.size());
    for (const auto& block : plan.blocks) {
      PackedLayerStorage storage{weights, biases, masks, block.weight_offset, block.bias_offset};
      hidden_names_.push_back(detail::block_name(block));
      auto layer = register_module(hidden_names_.back(),
                                   MaskedLinear(MaskedLinearOptions(block.cols, block.rows), storage));
      hidden_weights_.push_back(layer->weight);
      hidden_biases_.push_back(layer->bias);
      hidden_masks_.push_back(layer->mask());
      hidden_layers_.push_back(std::move(layer));
    }
  }

  output_layer_ =
      register_module("output", MaskedLinear(plan.layer_size(plan.num_layers() - 1), options.num_outputs()));
  for (const auto& sinks : plan.sink_layers) {
    auto layer = register_module(
        "output_from_" + std::to_string(sinks.layer),
        MaskedLinear(MaskedLinearOptions(plan.layer_size(sinks.layer), options.num_outputs()).bias(false)));
    auto mask = torch::zeros_like(layer->mask());
    mask.index_fill_(1, int64_tensor(sinks.columns), true);
    layer->set_mask(mask);
    layer->apply_mask();  // non-sink columns are not connections: zero, as archives show pruned weights
    sink_output_layers_.push_back(std::move(layer));
  }
  if (options.layer_norm()) {
    for (std::int64_t layer = 0; layer < plan.num_layers(); ++layer) {
      layer_norms_.push_back(
          register_module("layer_norm_" + std::to_string(layer),
                          torch::nn::LayerNorm(torch::nn::LayerNormOptions({plan.layer_size(layer)}))));
    }
  }

  layout->tensors = {int64_tensor(plan.layer_offset), torch::empty({0, 4}, torch::kInt64),
                     int64_tensor(plan.first_block)};
  std::vector<std::int64_t> block_rows;
  for (const auto& block : plan.blocks) {
    block_rows.insert(block_rows.end(), {block.source_layer, block.target_layer, block.rows, block.cols});
  }
  if (!block_rows.empty()) layout->tensors.blocks = int64_tensor(block_rows).view({-1, 4});
  layout_ = std::move(layout);
}

MaskedDeepDANImpl::~MaskedDeepDANImpl() = default;

bool MaskedDeepDANImpl::can_fuse(const torch::Tensor& first_activations) const {
  if (!options.fused() || options.layer_norm()) return false;
  if (first_activations.scalar_type() != torch::kFloat || !first_activations.device().is_cpu()) return false;
  for (std::size_t k = 0; k < hidden_weights_.size(); ++k) {
    // the kernel reads the tensors' memory directly
    if (!hidden_weights_[k].device().is_cpu() || hidden_weights_[k].scalar_type() != torch::kFloat ||
        !hidden_weights_[k].is_contiguous() || !hidden_biases_[k].is_contiguous() ||
        hidden_biases_[k].scalar_type() != torch::kFloat || !hidden_masks_[k].is_contiguous()) {
      return false;
    }
  }
  return true;
}

torch::Tensor MaskedDeepDANImpl::forward(const torch::Tensor& input) {
  const auto& layout = *layout_;
  auto first = torch::relu(input_layer_->forward(detail::flatten_batch(input, input_features_, kModel)));
  // hidden activations are laid out [vertex position, batch] so that each layer is a block of rows
  auto first_rows = first.t().contiguous();
  const bool sum_of_activations = options.aggregate() == DanAggregate::sum_of_activations;
  torch::Tensor hidden;
  if (can_fuse(first_rows)) {
    hidden = detail::dan_hidden_fused(layout.tensors, first_rows, hidden_weights_, hidden_biases_,
                                      hidden_masks_, sum_of_activations);
  } else {
    detail::LayerTransform normalise;
    if (options.layer_norm()) {
      normalise = [this](std::int64_t layer, const torch::Tensor& activations) {
        return layer_norms_[layer]->forward(activations.t()).t();
      };
    }
    hidden = detail::dan_hidden_per_block(layout.tensors, first_rows, hidden_weights_, hidden_biases_,
                                          hidden_masks_, sum_of_activations, normalise);
  }
  const auto& plan = layout.plan;
  auto rows_of = [&](std::int64_t layer) {
    return hidden.narrow(0, plan.layer_offset[layer], plan.layer_size(layer)).t();
  };
  auto output = output_layer_->forward(rows_of(plan.num_layers() - 1));
  for (std::size_t k = 0; k < sink_output_layers_.size(); ++k) {
    output = output + sink_output_layers_[k]->forward(rows_of(plan.sink_layers[k].layer));
  }
  return output;
}

std::vector<MaskedLayerRef> MaskedDeepDANImpl::masked_layers() {
  const auto& plan = layout_->plan;
  std::vector<MaskedLayerRef> refs;
  refs.reserve(hidden_layers_.size() + sink_output_layers_.size() + 2);
  refs.push_back({"input", input_layer_, kInputLayer, 0});
  for (std::size_t k = 0; k < hidden_layers_.size(); ++k) {
    refs.push_back(
        {hidden_names_[k], hidden_layers_[k], plan.blocks[k].source_layer, plan.blocks[k].target_layer});
  }
  for (std::size_t k = 0; k < sink_output_layers_.size(); ++k) {
    const auto layer = plan.sink_layers[k].layer;
    refs.push_back(
        {"output_from_" + std::to_string(layer), sink_output_layers_[k], layer, plan.num_layers()});
  }
  refs.push_back({"output", output_layer_, plan.num_layers() - 1, plan.num_layers()});
  return refs;
}

graph::LayeredGraph MaskedDeepDANImpl::generate_structure(bool include_input, bool include_output) {
  const auto& plan = layout_->plan;
  const std::int64_t shift = include_input ? input_features_ : 0;
  const std::int64_t first_output = shift + plan.num_vertices;
  std::vector<graph::Edge> edges;
  // calls f(row, column) for every true entry of a layer's mask
  auto for_each_active = [](const MaskedLinear& layer, auto&& f) {
    const auto mask = layer->mask().to(torch::kCPU).contiguous();
    const auto* m = mask.data_ptr<bool>();
    const auto cols = mask.size(1);
    for (std::int64_t e = 0; e < mask.numel(); ++e) {
      if (m[e]) f(e / cols, e % cols);
    }
  };
  if (include_input) {
    for_each_active(input_layer_, [&](std::int64_t row, std::int64_t col) {
      edges.push_back({col, shift + plan.vertex_at[row]});
    });
  }
  for (std::size_t k = 0; k < hidden_layers_.size(); ++k) {
    const auto& block = plan.blocks[k];
    const auto source_offset = plan.layer_offset[block.source_layer];
    const auto target_offset = plan.layer_offset[block.target_layer];
    for_each_active(hidden_layers_[k], [&](std::int64_t row, std::int64_t col) {
      edges.push_back(
          {shift + plan.vertex_at[source_offset + col], shift + plan.vertex_at[target_offset + row]});
    });
  }
  if (include_output) {
    auto add_output_edges = [&](const MaskedLinear& layer, std::int64_t source_layer) {
      const auto source_offset = plan.layer_offset[source_layer];
      for_each_active(layer, [&](std::int64_t row, std::int64_t col) {
        edges.push_back({shift + plan.vertex_at[source_offset + col], first_output + row});
      });
    };
    for (std::size_t k = 0; k < sink_output_layers_.size(); ++k) {
      add_output_edges(sink_output_layers_[k], plan.sink_layers[k].layer);
    }
    add_output_edges(output_layer_, plan.num_layers() - 1);
  }
  return graph::LayeredGraph(first_output + (include_output ? options.num_outputs() : 0), edges);
}

std::int64_t MaskedDeepDANImpl::num_structure_layers() const { return layout_->plan.num_layers(); }

void MaskedDeepDANImpl::pretty_print(std::ostream& stream) const {
  std::int64_t parameters = 0, active = 0, total = 0;
  for (const auto& parameter : this->parameters()) parameters += parameter.numel();
  auto count = [&](const MaskedLinear& layer) {
    active += layer->active_weight_count();
    total += layer->total_weight_count();
  };
  count(input_layer_);
  for (const auto& layer : hidden_layers_) count(layer);
  for (const auto& layer : sink_output_layers_) count(layer);
  count(output_layer_);
  stream << "structlab::nn::MaskedDeepDAN(input=" << input_features_
         << ", vertices=" << layout_->plan.num_vertices << ", layers=" << layout_->plan.num_layers()
         << ", masked_layers=" << hidden_layers_.size() + sink_output_layers_.size() + 2
         << ", outputs=" << options.num_outputs() << ", aggregate=" << to_string(options.aggregate())
         << ", sinks_to_output=" << (options.sinks_to_output() ? "true" : "false")
         << ", layer_norm=" << (options.layer_norm() ? "true" : "false") << ", parameters=" << parameters
         << ", active_weights=" << active << "/" << total << ")";
}

}  // namespace structlab::nn
