#include "nn/dan_hidden.hpp"

#include <algorithm>
#include <vector>

namespace structlab::nn::detail {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct BlockShape {
  std::int64_t source, target, rows, cols;
};

BlockShape block_at(const DanPlanTensors& plan, std::int64_t index) {
  const auto* row = plan.blocks.data_ptr<std::int64_t>() + 4 * index;
  return {row[0], row[1], row[2], row[3]};
}

std::int64_t offset_of(const DanPlanTensors& plan, std::int64_t layer) {
  return plan.layer_offset.data_ptr<std::int64_t>()[layer];
}

std::int64_t first_block_of(const DanPlanTensors& plan, std::int64_t layer) {
  return plan.first_block.data_ptr<std::int64_t>()[layer];
}

}  // namespace

torch::Tensor dan_hidden_per_block(const DanPlanTensors& plan, const torch::Tensor& first,
                                   at::TensorList weights, at::TensorList biases, at::TensorList masks,
                                   bool sum_of_activations, const LayerTransform& transform) {
  const std::int64_t num_layers = plan.layer_offset.numel() - 1;
  std::vector<torch::Tensor> layers{transform ? transform(0, first) : first};
  for (std::int64_t target = 1; target < num_layers; ++target) {
    torch::Tensor sum;
    for (std::int64_t k = first_block_of(plan, target); k < first_block_of(plan, target + 1); ++k) {
      const auto block = block_at(plan, k);
      // [rows, batch] = (W * M) [rows, cols] x h_source [cols, batch] + b
      auto pre = torch::addmm(biases[k].unsqueeze(1), weights[k] * masks[k], layers[block.source]);
      auto term = sum_of_activations ? torch::relu(pre) : pre;
      sum = sum.defined() ? sum + term : term;
    }
    auto activations = sum_of_activations ? sum : torch::relu(sum);
    layers.push_back(transform ? transform(target, activations) : activations);
  }
  return torch::cat(layers, 0);
}

namespace {

// Blocks this large and at least this dense go through BLAS; the rest through loops over active weights,
// which win for the thin, sparse blocks that graph structures produce.
constexpr std::int64_t kBlasMinEntries = 2048;
constexpr double kBlasMinDensity = 0.25;

bool use_blas(const torch::Tensor& mask) {
  const auto entries = mask.numel();
  if (entries < kBlasMinEntries) return false;
  const auto* m = mask.data_ptr<bool>();
  const auto active = std::count(m, m + entries, true);
  return static_cast<double>(active) >= kBlasMinDensity * static_cast<double>(entries);
}

// z[i, :] += sum_j m[i, j] w[i, j] h[j, :]
void masked_multiply_add(const float* w, const bool* m, std::int64_t rows, std::int64_t cols, const float* h,
                         float* z, std::int64_t batch) {
  for (std::int64_t i = 0; i < rows; ++i) {
    float* zi = z + i * batch;
    for (std::int64_t j = 0; j < cols; ++j) {
      if (!m[i * cols + j]) continue;
      const float wij = w[i * cols + j];
      const float* hj = h + j * batch;
      for (std::int64_t b = 0; b < batch; ++b) zi[b] += wij * hj[b];
    }
  }
}

// Gradients of z = (W * M) h + bias given dz: weight and bias gradients are written, h's is added to dh.
void masked_multiply_backward(const float* w, const bool* m, std::int64_t rows, std::int64_t cols,
                              const float* h, const float* dz, std::int64_t batch, float* dw, float* dbias,
                              float* dh) {
  for (std::int64_t i = 0; i < rows; ++i) {
    const float* dzi = dz + i * batch;
    float bias_sum = 0.f;
    for (std::int64_t b = 0; b < batch; ++b) bias_sum += dzi[b];
    dbias[i] = bias_sum;
    for (std::int64_t j = 0; j < cols; ++j) {
      if (!m[i * cols + j]) continue;
      const float* hj = h + j * batch;
      float* dhj = dh + j * batch;
      const float wij = w[i * cols + j];
      float dot = 0.f;
      for (std::int64_t b = 0; b < batch; ++b) {
        dot += dzi[b] * hj[b];
        dhj[b] += wij * dzi[b];
      }
      dw[i * cols + j] = dot;
    }
  }
}

class DanHiddenFunction : public torch::autograd::Function<DanHiddenFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& first, at::TensorList weights,
                               at::TensorList biases, at::TensorList masks, const DanPlanTensors& plan,
                               bool sum_of_activations) {
    const std::int64_t num_layers = plan.layer_offset.numel() - 1;
    const std::int64_t num_blocks = plan.blocks.size(0);
    const std::int64_t batch = first.size(1);
    auto hidden = torch::empty({offset_of(plan, num_layers), batch}, first.options());
    hidden.narrow(0, 0, first.size(0)).copy_(first);
    // the seed's aggregate needs each block's pre-activation for the backward pass
    std::int64_t pre_rows = 0;
    for (std::int64_t k = 0; k < num_blocks; ++k) pre_rows += block_at(plan, k).rows;
    auto pre_activations = torch::empty({sum_of_activations ? pre_rows : 0, batch}, first.options());

    float* h = hidden.data_ptr<float>();
    float* pre_base = pre_activations.data_ptr<float>();
    std::int64_t pre_row = 0;
    for (std::int64_t target = 1; target < num_layers; ++target) {
      auto layer =
          hidden.narrow(0, offset_of(plan, target), offset_of(plan, target + 1) - offset_of(plan, target));
      layer.zero_();
      float* out = layer.data_ptr<float>();
      for (std::int64_t k = first_block_of(plan, target); k < first_block_of(plan, target + 1); ++k) {
        const auto block = block_at(plan, k);
        const float* source = h + offset_of(plan, block.source) * batch;
        const float* bias = biases[k].data_ptr<float>();
        float* z = sum_of_activations ? pre_base + pre_row * batch : out;
        for (std::int64_t i = 0; i < block.rows; ++i) {
          float* zi = z + i * batch;
          if (sum_of_activations) {
            std::fill(zi, zi + batch, bias[i]);
          } else {
            for (std::int64_t b = 0; b < batch; ++b) zi[b] += bias[i];
          }
        }
        if (use_blas(masks[k])) {
          auto z_view = torch::from_blob(z, {block.rows, batch}, first.options());
          z_view.addmm_(weights[k] * masks[k], hidden.narrow(0, offset_of(plan, block.source), block.cols));
        } else {
          masked_multiply_add(weights[k].data_ptr<float>(), masks[k].data_ptr<bool>(), block.rows, block.cols,
                              source, z, batch);
        }
        if (sum_of_activations) {
          for (std::int64_t e = 0; e < block.rows * batch; ++e) out[e] += std::max(z[e], 0.f);
          pre_row += block.rows;
        }
      }
      if (!sum_of_activations) layer.relu_();
    }

    std::vector<torch::Tensor> saved{first, hidden, pre_activations};
    saved.insert(saved.end(), weights.begin(), weights.end());
    saved.insert(saved.end(), biases.begin(), biases.end());
    saved.insert(saved.end(), masks.begin(), masks.end());
    ctx->save_for_backward(saved);
    ctx->saved_data["layer_offset"] = plan.layer_offset;
    ctx->saved_data["blocks"] = plan.blocks;
    ctx->saved_data["first_block"] = plan.first_block;
    ctx->saved_data["sum_of_activations"] = sum_of_activations;
    return hidden;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const DanPlanTensors plan{ctx->saved_data["layer_offset"].toTensor(),
                              ctx->saved_data["blocks"].toTensor(),
                              ctx->saved_data["first_block"].toTensor()};
    const bool sum_of_activations = ctx->saved_data["sum_of_activations"].toBool();
    const auto saved = ctx->get_saved_variables();
    const std::int64_t num_blocks = plan.blocks.size(0);
    const auto& first = saved[0];
    const auto& hidden = saved[1];
    const auto& pre_activations = saved[2];
    const at::TensorList weights(saved.data() + 3, num_blocks);
    const at::TensorList biases(saved.data() + 3 + num_blocks, num_blocks);
    const at::TensorList masks(saved.data() + 3 + 2 * num_blocks, num_blocks);
    auto grad_hidden = grad_outputs[0].defined() ? grad_outputs[0] : torch::zeros_like(hidden);

    variable_list grads;
    if (torch::GradMode::is_enabled()) {
      grads = differentiable_backward(plan, sum_of_activations, first, weights, biases, masks, grad_hidden);
    } else {
      grads = loop_backward(plan, sum_of_activations, hidden, pre_activations, weights, masks, grad_hidden);
    }
    grads.resize(grads.size() + 2);  // the plan and the aggregate flag are not differentiable
    return grads;
  }

 private:
  // A graph of the gradient was asked for (second derivatives): differentiate the per-block ops instead.
  static variable_list differentiable_backward(const DanPlanTensors& plan, bool sum_of_activations,
                                               const torch::Tensor& first, at::TensorList weights,
                                               at::TensorList biases, at::TensorList masks,
                                               const torch::Tensor& grad_hidden) {
    std::vector<torch::Tensor> inputs{first};
    inputs.insert(inputs.end(), weights.begin(), weights.end());
    inputs.insert(inputs.end(), biases.begin(), biases.end());
    std::vector<std::size_t> wanted;
    std::vector<torch::Tensor> wanted_inputs;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i].requires_grad()) {
        wanted.push_back(i);
        wanted_inputs.push_back(inputs[i]);
      }
    }
    variable_list grads(inputs.size() + masks.size());
    if (wanted_inputs.empty()) return grads;
    auto hidden = dan_hidden_per_block(plan, first, weights, biases, masks, sum_of_activations);
    auto computed = torch::autograd::grad({hidden}, wanted_inputs, {grad_hidden}, /*retain_graph=*/true,
                                          /*create_graph=*/true, /*allow_unused=*/true);
    for (std::size_t i = 0; i < wanted.size(); ++i) grads[wanted[i]] = computed[i];
    return grads;
  }

  static variable_list loop_backward(const DanPlanTensors& plan, bool sum_of_activations,
                                     const torch::Tensor& hidden, const torch::Tensor& pre_activations,
                                     at::TensorList weights, at::TensorList masks,
                                     torch::Tensor grad_hidden) {
    const std::int64_t num_layers = plan.layer_offset.numel() - 1;
    const std::int64_t num_blocks = plan.blocks.size(0);
    const std::int64_t batch = hidden.size(1);
    grad_hidden = grad_hidden.contiguous().clone();  // accumulates the gradient of every layer
    float* dh = grad_hidden.data_ptr<float>();
    const float* h = hidden.data_ptr<float>();

    std::int64_t weight_entries = 0, bias_entries = 0, max_rows = 0;
    std::vector<std::int64_t> weight_offset(num_blocks), bias_offset(num_blocks), pre_offset(num_blocks);
    for (std::int64_t k = 0; k < num_blocks; ++k) {
      const auto block = block_at(plan, k);
      weight_offset[k] = weight_entries;
      bias_offset[k] = bias_entries;
      pre_offset[k] = bias_entries;  // pre-activation rows follow the bias layout
      weight_entries += block.rows * block.cols;
      bias_entries += block.rows;
      max_rows = std::max(max_rows, block.rows);
    }
    auto weight_grads = torch::zeros({weight_entries}, hidden.options());
    auto bias_grads = torch::empty({bias_entries}, hidden.options());
    auto dz_buffer = torch::empty({max_rows, batch}, hidden.options());
    float* dz = dz_buffer.data_ptr<float>();

    for (std::int64_t target = num_layers - 1; target >= 1; --target) {
      const std::int64_t target_offset = offset_of(plan, target);
      const float* d_out = dh + target_offset * batch;
      const float* out = h + target_offset * batch;
      for (std::int64_t k = first_block_of(plan, target); k < first_block_of(plan, target + 1); ++k) {
        const auto block = block_at(plan, k);
        // derivative through this block's ReLU (its own, or the layer's shared one)
        const float* gate =
            sum_of_activations ? pre_activations.data_ptr<float>() + pre_offset[k] * batch : out;
        for (std::int64_t e = 0; e < block.rows * batch; ++e) dz[e] = gate[e] > 0.f ? d_out[e] : 0.f;
        const std::int64_t source_offset = offset_of(plan, block.source);
        float* dw = weight_grads.data_ptr<float>() + weight_offset[k];
        float* db = bias_grads.data_ptr<float>() + bias_offset[k];
        if (use_blas(masks[k])) {
          auto dz_view = dz_buffer.narrow(0, 0, block.rows);
          auto source = hidden.narrow(0, source_offset, block.cols);
          torch::from_blob(dw, {block.rows, block.cols}, hidden.options())
              .copy_(torch::mm(dz_view, source.t()).mul_(masks[k]));
          torch::from_blob(db, {block.rows}, hidden.options()).copy_(dz_view.sum(1));
          grad_hidden.narrow(0, source_offset, block.cols).addmm_((weights[k] * masks[k]).t(), dz_view);
        } else {
          masked_multiply_backward(weights[k].data_ptr<float>(), masks[k].data_ptr<bool>(), block.rows,
                                   block.cols, h + source_offset * batch, dz, batch, dw, db,
                                   dh + source_offset * batch);
        }
      }
    }

    variable_list grads{grad_hidden.narrow(0, 0, offset_of(plan, 1))};  // layer 0's rows
    for (std::int64_t k = 0; k < num_blocks; ++k) {
      const auto block = block_at(plan, k);
      grads.push_back(
          weight_grads.narrow(0, weight_offset[k], block.rows * block.cols).view({block.rows, block.cols}));
    }
    for (std::int64_t k = 0; k < num_blocks; ++k) {
      grads.push_back(bias_grads.narrow(0, bias_offset[k], block_at(plan, k).rows));
    }
    grads.resize(grads.size() + masks.size());  // masks are not differentiable
    return grads;
  }
};

}  // namespace

torch::Tensor dan_hidden_fused(const DanPlanTensors& plan, const torch::Tensor& first, at::TensorList weights,
                               at::TensorList biases, at::TensorList masks, bool sum_of_activations) {
  return DanHiddenFunction::apply(first, weights, biases, masks, plan, sum_of_activations);
}

}  // namespace structlab::nn::detail
