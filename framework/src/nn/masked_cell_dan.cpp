#include "structlab/nn/masked_cell_dan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "nn/cell_ops.hpp"
#include "nn/dan_plan.hpp"
#include "nn/model_input.hpp"
#include "structlab/error.hpp"
#include "structlab/nn/init_generator.hpp"

namespace structlab::nn {
namespace {

constexpr const char* kModel = "dan_cells";

void check_options(const MaskedCellDANOptions& options) {
  const auto& shape = options.input_shape();
  if (shape.size() != 3 || shape[0] <= 0 || shape[1] <= 0 || shape[2] <= 0) {
    throw ModelError(
        fmt::format("{}: the input shape must be [channels, height, width] with positive sizes, got "
                    "[{}]; the dataset must give images",
                    kModel, fmt::join(shape, ", ")));
  }
  detail::check_output_count(options.num_outputs(), kModel);
  if (options.channels() < 1) {
    throw ModelError(fmt::format("{}: channels is {}; expected at least 1", kModel, options.channels()));
  }
  if (options.stem_stride() < 1) {
    throw ModelError(
        fmt::format("{}: stem_stride is {}; expected at least 1", kModel, options.stem_stride()));
  }
}

// The layering of \p structure, checked here so that errors name this model rather than the DAN whose plan it
// shares.
detail::DanPlan checked_plan(const graph::LayeredGraph& structure) {
  if (structure.num_vertices() == 0) {
    throw GraphError(std::string(kModel) +
                     ": the structure has no vertices; a cell network needs at least one");
  }
  try {
    structure.num_layers();
  } catch (const GraphError& error) {
    throw GraphError(std::string(kModel) + ": " + error.what());
  }
  return detail::plan_dan(structure, /*sinks_to_output=*/true);
}

// \p sum plus the maps [batch, n_t, F] a block sends its target layer from its source layer's maps
// [batch, n_s, F] (just those when \p sum is undefined): the aggregation matrix |weight| * mask [n_t, n_s]
// applied to every sample. An explicit batched product: matmul of a matrix with a 3-D tensor would fold the
// maps into [batch * F, n_s] rows, copying them twice, and run several times slower.
torch::Tensor aggregate(const torch::Tensor& sum, const torch::Tensor& weight, const torch::Tensor& mask,
                        const torch::Tensor& maps) {
  const auto matrix = weight.abs() * mask.to(weight.scalar_type());
  const auto per_sample = matrix.expand({maps.size(0), matrix.size(0), matrix.size(1)});
  return sum.defined() ? torch::baddbmm(sum, per_sample, maps) : torch::bmm(per_sample, maps);
}

// calls f(row, column) for every true entry of a 2-D mask
template <typename F>
void for_each_active(const torch::Tensor& mask, F&& f) {
  const auto cpu = mask.to(torch::kCPU).contiguous();
  const auto* entries = cpu.data_ptr<bool>();
  const std::int64_t cols = cpu.size(1);
  for (std::int64_t e = 0; e < cpu.numel(); ++e) {
    if (entries[e]) f(e / cols, e % cols);
  }
}

}  // namespace

DanCell parse_dan_cell(const std::string& text) {
  if (text == "relu_conv_bn") return DanCell::relu_conv_bn;
  if (text == "relu_sepconv_bn") return DanCell::relu_sepconv_bn;
  throw ConfigError("cell '" + text + "' is unknown; expected 'relu_conv_bn' or 'relu_sepconv_bn'");
}

const char* to_string(DanCell cell) {
  return cell == DanCell::relu_conv_bn ? "relu_conv_bn" : "relu_sepconv_bn";
}

MaskedCellDANImpl::MaskedCellDANImpl(const graph::LayeredGraph& structure,
                                     const MaskedCellDANOptions& options_)
    : options(options_) {
  check_options(options);
  input_features_ = detail::checked_feature_count(options.input_shape(), kModel);
  plan_ = std::make_shared<const detail::DanPlan>(checked_plan(structure));
  const auto& plan = *plan_;
  const std::int64_t channels = options.channels();

  stem_ = register_module("stem", std::make_shared<detail::CellStemImpl>(options.input_shape()[0], channels,
                                                                         options.stem_stride()));

  // every aggregation weight starts at 1 on an edge and 0 elsewhere
  add_block("input", torch::ones({plan.layer_size(0), 1}, torch::kBool), kInputLayer, 0);
  auto edge_masks = torch::zeros({plan.weight_entries}, torch::kBool);
  if (!plan.edge_entries.empty()) {
    edge_masks.index_fill_(0, torch::tensor(at::ArrayRef<std::int64_t>(plan.edge_entries), torch::kInt64),
                           true);
  }
  first_block_of_layer_.assign(plan.num_layers() + 1, 1);
  for (std::int64_t layer = 1; layer <= plan.num_layers(); ++layer) {
    first_block_of_layer_[layer] = 1 + static_cast<std::size_t>(plan.first_block[layer]);
  }
  for (const auto& block : plan.blocks) {
    const auto mask =
        edge_masks.narrow(0, block.weight_offset, block.rows * block.cols).view({block.rows, block.cols});
    add_block(detail::block_name(block), mask, block.source_layer, block.target_layer);
  }

  first_output_block_ = blocks_.size();
  auto add_output = [&](std::int64_t layer, const std::vector<std::int64_t>& columns) {
    auto mask = torch::zeros({1, plan.layer_size(layer)}, torch::kBool);
    mask.index_fill_(1, torch::tensor(at::ArrayRef<std::int64_t>(columns), torch::kInt64), true);
    add_block("output_from_" + std::to_string(layer), mask, layer, plan.num_layers());
    sink_count_ += static_cast<double>(columns.size());
  };
  for (const auto& sinks : plan.sink_layers) add_output(sinks.layer, sinks.columns);
  const std::int64_t last = plan.num_layers() - 1;
  std::vector<std::int64_t> every_column(plan.layer_size(last));
  for (std::int64_t c = 0; c < plan.layer_size(last); ++c) every_column[c] = c;
  add_output(last, every_column);

  for (std::int64_t layer = 0; layer < plan.num_layers(); ++layer) {
    cells_.push_back(register_module(
        "cells_" + std::to_string(layer),
        std::make_shared<detail::CellLayerImpl>(plan.layer_size(layer), channels, options.cell())));
  }

  // as torch::nn::Linear: U(-1/sqrt(C), 1/sqrt(C)) for weight and bias
  auto classifier = register_module("classifier", std::make_shared<torch::nn::Module>());
  {
    torch::NoGradGuard no_grad;
    const double bound = 1.0 / std::sqrt(static_cast<double>(channels));
    classifier_weight_ = classifier->register_parameter(
        "weight", torch::empty({options.num_outputs(), channels}).uniform_(-bound, bound, init_generator()));
    classifier_bias_ = classifier->register_parameter(
        "bias", torch::empty({options.num_outputs()}).uniform_(-bound, bound, init_generator()));
  }
}

MaskedCellDANImpl::~MaskedCellDANImpl() = default;

void MaskedCellDANImpl::add_block(const std::string& name, const torch::Tensor& mask,
                                  std::int64_t source_layer, std::int64_t target_layer) {
  auto holder = register_module(name, std::make_shared<torch::nn::Module>());
  EdgeBlock block;
  block.name = name;
  block.mask = holder->register_buffer("mask", mask.clone());
  block.weight = holder->register_parameter("weight", mask.to(torch::kFloat));
  block.source_layer = source_layer;
  block.target_layer = target_layer;
  blocks_.push_back(std::move(block));
}

torch::Tensor MaskedCellDANImpl::forward(const torch::Tensor& input) {
  const auto& plan = *plan_;
  const auto& shape = options.input_shape();
  const auto flat = detail::flatten_batch(input, input_features_, kModel);
  const std::int64_t batch = flat.size(0);
  const auto images = flat.view({batch, shape[0], shape[1], shape[2]});
  const auto stem = stem_->forward(images);
  const std::int64_t height = stem.size(2), width = stem.size(3);

  // each layer's output maps as [batch, n_l, C * H * W]; a block maps its source layer's to the target's by
  // one batched product [n_t, n_s] x [n_s, C * H * W] per sample
  std::vector<torch::Tensor> maps(plan.num_layers());
  for (std::int64_t layer = 0; layer < plan.num_layers(); ++layer) {
    torch::Tensor inputs;
    if (layer == 0) {
      inputs = aggregate({}, blocks_[0].weight, blocks_[0].mask, stem.reshape({batch, 1, -1}));
    } else {
      for (std::size_t k = first_block_of_layer_[layer]; k < first_block_of_layer_[layer + 1]; ++k) {
        inputs = aggregate(inputs, blocks_[k].weight, blocks_[k].mask, maps[blocks_[k].source_layer]);
      }
    }
    maps[layer] = cells_[layer]->forward(inputs, height, width).reshape({batch, plan.layer_size(layer), -1});
  }

  torch::Tensor sinks;
  for (std::size_t k = first_output_block_; k < blocks_.size(); ++k) {
    sinks = aggregate(sinks, blocks_[k].weight, blocks_[k].mask, maps[blocks_[k].source_layer]);
  }
  const auto pooled =
      torch::relu(sinks / sink_count_).view({batch, options.channels(), height * width}).mean(2);
  return torch::linear(pooled, classifier_weight_, classifier_bias_);
}

std::vector<MaskedLayerRef> MaskedCellDANImpl::masked_layers() {
  std::vector<MaskedLayerRef> refs;
  refs.reserve(blocks_.size());
  for (const auto& block : blocks_) {
    refs.emplace_back(block.name, block.weight, torch::Tensor(), block.mask, block.source_layer,
                      block.target_layer);
  }
  return refs;
}

graph::LayeredGraph MaskedCellDANImpl::generate_structure(bool include_input, bool include_output) {
  const auto& plan = *plan_;
  const std::int64_t shift = include_input ? 1 : 0;
  const std::int64_t output_vertex = shift + plan.num_vertices;
  auto vertex = [&](std::int64_t layer, std::int64_t index) {
    return shift + plan.vertex_at[plan.layer_offset[layer] + index];
  };
  std::vector<graph::Edge> edges;
  for (std::size_t k = 0; k < blocks_.size(); ++k) {
    const auto& block = blocks_[k];
    const bool stem = k == 0, output = k >= first_output_block_;
    if ((stem && !include_input) || (output && !include_output)) continue;
    for_each_active(block.mask, [&](std::int64_t row, std::int64_t col) {
      const std::int64_t source = stem ? 0 : vertex(block.source_layer, col);
      const std::int64_t target = output ? output_vertex : vertex(block.target_layer, row);
      edges.push_back({source, target});
    });
  }
  return graph::LayeredGraph(output_vertex + (include_output ? 1 : 0), edges);
}

std::int64_t MaskedCellDANImpl::num_structure_layers() const { return plan_->num_layers(); }

void MaskedCellDANImpl::to(torch::Device device, torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(device, dtype, non_blocking);
  keep_masks_bool();
}

void MaskedCellDANImpl::to(torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(dtype, non_blocking);
  keep_masks_bool();
}

void MaskedCellDANImpl::keep_masks_bool() {
  // Module::to converts every buffer; a mask holds 0/1, so converting it back is exact
  for (auto& block : blocks_) {
    if (block.mask.scalar_type() != torch::kBool) block.mask.set_data(block.mask.to(torch::kBool));
  }
}

void MaskedCellDANImpl::pretty_print(std::ostream& stream) const {
  std::int64_t parameters = 0, active = 0;
  for (const auto& parameter : this->parameters()) parameters += parameter.numel();
  for (std::size_t k = 1; k < first_output_block_; ++k) active += blocks_[k].mask.sum().item<std::int64_t>();
  stream << "structlab::nn::MaskedCellDAN(input=["
         << fmt::format("{}", fmt::join(options.input_shape(), ", ")) << "], vertices=" << plan_->num_vertices
         << ", layers=" << plan_->num_layers() << ", channels=" << options.channels()
         << ", cell=" << to_string(options.cell()) << ", outputs=" << options.num_outputs()
         << ", parameters=" << parameters << ", edges=" << active << "/" << plan_->edge_entries.size() << ")";
}

}  // namespace structlab::nn
