#include "structlab/nn/masked_deep_dan.hpp"

#include <cmath>
#include <mutex>

#include "nn/dan_hidden.hpp"
#include "nn/dan_plan.hpp"
#include "nn/model_input.hpp"
#include "structlab/nn/init_generator.hpp"
#include "structlab/nn/sparse_kernels.hpp"
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
  std::shared_ptr<const detail::DanPlan> plan;
  // the blocks' index lists, rebuilt when the packed mask changes (a write through any block's view bumps
  // the packed tensor's version)
  std::mutex mutex;
  detail::MaskIdentity patterns_mask;
  std::shared_ptr<const std::vector<detail::SparsePattern>> patterns;
};

MaskedDeepDANImpl::MaskedDeepDANImpl(const graph::LayeredGraph& structure,
                                     const MaskedDeepDANOptions& options_)
    : options(options_) {
  input_features_ = detail::checked_feature_count(options.input_shape(), kModel);
  detail::check_output_count(options.num_outputs(), kModel);
  layout_ = std::make_shared<Layout>();
  layout_->plan = std::make_shared<const detail::DanPlan>(detail::plan_dan(structure, options.sinks_to_output()));
  const auto& plan = *layout_->plan;

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
      hidden_names_.push_back(detail::block_name(block));
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
    hidden_weight_ = register_parameter("hidden_weight", weights);
    hidden_bias_ = register_parameter("hidden_bias", biases);
    hidden_mask_ = register_buffer("hidden_mask", masks);
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
}

MaskedDeepDANImpl::~MaskedDeepDANImpl() = default;

bool MaskedDeepDANImpl::can_fuse(const torch::Tensor& first_activations) const {
  if (!options.fused() || options.layer_norm() || !hidden_weight_.defined()) return false;
  if (first_activations.scalar_type() != torch::kFloat || !first_activations.device().is_cpu()) return false;
  // the kernel reads the tensors' memory directly
  return hidden_weight_.device().is_cpu() && hidden_weight_.scalar_type() == torch::kFloat &&
         hidden_weight_.is_contiguous() && hidden_bias_.scalar_type() == torch::kFloat &&
         hidden_bias_.is_contiguous() && hidden_mask_.device().is_cpu() && hidden_mask_.is_contiguous();
}

namespace {

// Blocks this large go through BLAS when they are denser than the sparse kernels' crossover (or always, with
// the sparse kernels off); the rest through index lists, which win for the thin, sparse blocks that graph
// structures produce.
constexpr std::int64_t kBlasMinEntries = 2048;

bool block_uses_blas(SparseKernels mode, const detail::DanBlock& block, std::int64_t active) {
  switch (mode) {
    case SparseKernels::off:
      return true;
    case SparseKernels::on:
      return false;
    case SparseKernels::automatic:
      break;
  }
  return block.rows * block.cols >= kBlasMinEntries &&
         static_cast<double>(active) > sparse_crossover_density() * static_cast<double>(block.rows * block.cols);
}

}  // namespace

torch::Tensor MaskedDeepDANImpl::hidden_rows(const torch::Tensor& first_rows) {
  Layout& layout = *layout_;
  const bool sum_of_activations = options.aggregate() == DanAggregate::sum_of_activations;
  if (!can_fuse(first_rows)) {
    detail::LayerTransform normalise;
    if (options.layer_norm()) {
      normalise = [this](std::int64_t layer, const torch::Tensor& activations) {
        return layer_norms_[layer]->forward(activations.t()).t();
      };
    }
    return detail::dan_hidden_per_block(*layout.plan, first_rows, hidden_weight_, hidden_bias_, hidden_mask_,
                                        sum_of_activations, normalise);
  }
  auto pass = c10::make_intrusive<detail::DanPass>();
  pass->plan = layout.plan;
  {
    std::lock_guard<std::mutex> lock(layout.mutex);
    if (!layout.patterns || !layout.patterns_mask.matches(hidden_mask_)) {
      layout.patterns = std::make_shared<const std::vector<detail::SparsePattern>>(
          detail::dan_block_patterns(*layout.plan, hidden_mask_));
      layout.patterns_mask.remember(hidden_mask_);
    }
    pass->patterns = layout.patterns;
  }
  const SparseKernels mode = sparse_kernels();
  const auto& blocks = layout.plan->blocks;
  pass->dense.resize(blocks.size());
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    pass->dense[k] = block_uses_blas(mode, blocks[k], (*pass->patterns)[k].active()) ? 1 : 0;
  }
  pass->sum_of_activations = sum_of_activations;
  pass->threads = at::get_num_threads();
  return detail::dan_hidden_fused(pass, first_rows, hidden_weight_, hidden_bias_, hidden_mask_);
}

torch::Tensor MaskedDeepDANImpl::forward(const torch::Tensor& input) {
  const auto& plan = *layout_->plan;
  auto first = torch::relu(input_layer_->forward(detail::flatten_batch(input, input_features_, kModel)));
  // hidden activations are laid out [vertex position, batch] so that each layer is a block of rows
  const auto hidden = hidden_rows(first.t().contiguous());
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
  const auto& plan = *layout_->plan;
  std::vector<MaskedLayerRef> refs;
  refs.reserve(plan.blocks.size() + sink_output_layers_.size() + 2);
  refs.emplace_back("input", input_layer_, kInputLayer, 0);
  for (std::size_t k = 0; k < plan.blocks.size(); ++k) {
    const auto& block = plan.blocks[k];
    const std::int64_t entries = block.rows * block.cols;
    refs.emplace_back(hidden_names_[k], hidden_weight_.narrow(0, block.weight_offset, entries).view({block.rows, block.cols}),
                      hidden_bias_.narrow(0, block.bias_offset, block.rows),
                      hidden_mask_.narrow(0, block.weight_offset, entries).view({block.rows, block.cols}),
                      block.source_layer, block.target_layer);
  }
  for (std::size_t k = 0; k < sink_output_layers_.size(); ++k) {
    const auto layer = plan.sink_layers[k].layer;
    refs.emplace_back("output_from_" + std::to_string(layer), sink_output_layers_[k], layer, plan.num_layers());
  }
  refs.emplace_back("output", output_layer_, plan.num_layers() - 1, plan.num_layers());
  return refs;
}

graph::LayeredGraph MaskedDeepDANImpl::generate_structure(bool include_input, bool include_output) {
  const auto& plan = *layout_->plan;
  const std::int64_t shift = include_input ? input_features_ : 0;
  const std::int64_t first_output = shift + plan.num_vertices;
  std::vector<graph::Edge> edges;
  // calls f(row, column) for every true entry of a [rows, cols] mask
  auto for_each_active = [](const torch::Tensor& mask, std::int64_t cols, auto&& f) {
    const auto cpu = mask.to(torch::kCPU).contiguous();
    const auto* m = cpu.data_ptr<bool>();
    for (std::int64_t e = 0; e < cpu.numel(); ++e) {
      if (m[e]) f(e / cols, e % cols);
    }
  };
  if (include_input) {
    for_each_active(input_layer_->mask(), input_features_, [&](std::int64_t row, std::int64_t col) {
      edges.push_back({col, shift + plan.vertex_at[row]});
    });
  }
  for (const auto& block : plan.blocks) {
    const auto source_offset = plan.layer_offset[block.source_layer];
    const auto target_offset = plan.layer_offset[block.target_layer];
    for_each_active(hidden_mask_.narrow(0, block.weight_offset, block.rows * block.cols), block.cols,
                    [&](std::int64_t row, std::int64_t col) {
                      edges.push_back({shift + plan.vertex_at[source_offset + col],
                                       shift + plan.vertex_at[target_offset + row]});
                    });
  }
  if (include_output) {
    auto add_output_edges = [&](const MaskedLinear& layer, std::int64_t source_layer) {
      const auto source_offset = plan.layer_offset[source_layer];
      for_each_active(layer->mask(), layer->options.in_features(), [&](std::int64_t row, std::int64_t col) {
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

void MaskedDeepDANImpl::to(torch::Device device, torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(device, dtype, non_blocking);
  keep_mask_bool();
}

void MaskedDeepDANImpl::to(torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(dtype, non_blocking);
  keep_mask_bool();
}

void MaskedDeepDANImpl::keep_mask_bool() {
  // Module::to converts every buffer; the mask holds 0/1, so converting it back is exact
  if (hidden_mask_.defined() && hidden_mask_.scalar_type() != torch::kBool) {
    hidden_mask_.set_data(hidden_mask_.to(torch::kBool));
  }
}

std::int64_t MaskedDeepDANImpl::num_structure_layers() const { return layout_->plan->num_layers(); }

void MaskedDeepDANImpl::pretty_print(std::ostream& stream) const {
  std::int64_t parameters = 0, active = 0, total = 0;
  for (const auto& parameter : this->parameters()) parameters += parameter.numel();
  auto count = [&](const MaskedLinear& layer) {
    active += layer->active_weight_count();
    total += layer->total_weight_count();
  };
  count(input_layer_);
  if (hidden_mask_.defined()) {
    active += hidden_mask_.sum().item<std::int64_t>();
    total += hidden_mask_.numel();
  }
  for (const auto& layer : sink_output_layers_) count(layer);
  count(output_layer_);
  stream << "structlab::nn::MaskedDeepDAN(input=" << input_features_
         << ", vertices=" << layout_->plan->num_vertices << ", layers=" << layout_->plan->num_layers()
         << ", masked_layers=" << hidden_names_.size() + sink_output_layers_.size() + 2
         << ", outputs=" << options.num_outputs() << ", aggregate=" << to_string(options.aggregate())
         << ", sinks_to_output=" << (options.sinks_to_output() ? "true" : "false")
         << ", layer_norm=" << (options.layer_norm() ? "true" : "false") << ", parameters=" << parameters
         << ", active_weights=" << active << "/" << total << ")";
}

}  // namespace structlab::nn
