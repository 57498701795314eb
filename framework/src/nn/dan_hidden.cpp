#include "nn/dan_hidden.hpp"

#include <algorithm>
#include <vector>

namespace structlab::nn::detail {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The packed tensor \p packed cut into the blocks' [rows, cols] matrices (one split op, so the gradient flows
// back to the packed tensor in one concatenation, not one full-size scatter per block).
std::vector<torch::Tensor> block_matrices(const DanPlan& plan, const torch::Tensor& packed) {
  std::vector<std::int64_t> sizes;
  sizes.reserve(plan.blocks.size());
  for (const auto& block : plan.blocks) sizes.push_back(block.rows * block.cols);
  auto parts = packed.split_with_sizes(sizes);
  for (std::size_t k = 0; k < parts.size(); ++k) parts[k] = parts[k].view({plan.blocks[k].rows, plan.blocks[k].cols});
  return parts;
}

std::vector<torch::Tensor> block_biases(const DanPlan& plan, const torch::Tensor& packed) {
  std::vector<std::int64_t> sizes;
  sizes.reserve(plan.blocks.size());
  for (const auto& block : plan.blocks) sizes.push_back(block.rows);
  return packed.split_with_sizes(sizes);
}

}  // namespace

torch::Tensor dan_hidden_per_block(const DanPlan& plan, const torch::Tensor& first, const torch::Tensor& weight,
                                   const torch::Tensor& bias, const torch::Tensor& mask, bool sum_of_activations,
                                   const LayerTransform& transform) {
  std::vector<torch::Tensor> layers{transform ? transform(0, first) : first};
  if (plan.blocks.empty()) return layers.front();
  // one multiply for all blocks; its gradient is zero at the masked entries
  const auto weights = block_matrices(plan, weight * mask.to(weight.scalar_type()));
  const auto biases = block_biases(plan, bias);
  for (std::int64_t target = 1; target < plan.num_layers(); ++target) {
    torch::Tensor sum;
    for (std::int64_t k = plan.first_block[target]; k < plan.first_block[target + 1]; ++k) {
      // [rows, batch] = W_masked [rows, cols] x h_source [cols, batch] + b
      auto pre = torch::addmm(biases[k].unsqueeze(1), weights[k], layers[plan.blocks[k].source_layer]);
      auto term = sum_of_activations ? torch::relu(pre) : pre;
      sum = sum.defined() ? sum + term : term;
    }
    auto activations = sum_of_activations ? sum : torch::relu(sum);
    layers.push_back(transform ? transform(target, activations) : activations);
  }
  return torch::cat(layers, 0);
}

std::vector<SparsePattern> dan_block_patterns(const DanPlan& plan, const torch::Tensor& mask) {
  const bool* m = mask.data_ptr<bool>();
  std::vector<SparsePattern> patterns;
  patterns.reserve(plan.blocks.size());
  for (const auto& block : plan.blocks) {
    patterns.push_back(SparsePattern::of_mask(m + block.weight_offset, block.rows, block.cols));
  }
  return patterns;
}

namespace {

class DanHiddenFunction : public torch::autograd::Function<DanHiddenFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& first, const torch::Tensor& weight,
                               const torch::Tensor& bias, const torch::Tensor& mask,
                               const c10::intrusive_ptr<DanPass>& pass) {
    const DanPlan& plan = *pass->plan;
    const auto& patterns = *pass->patterns;
    const bool sum_of_activations = pass->sum_of_activations;
    const std::int64_t batch = first.size(1);
    auto hidden = torch::empty({plan.num_vertices, batch}, first.options());
    hidden.narrow(0, 0, first.size(0)).copy_(first);
    // the seed's aggregate needs each block's pre-activation for the backward pass (rows follow the biases)
    auto pre_activations = torch::empty({sum_of_activations ? plan.bias_entries : 0, batch}, first.options());
    const auto masked_weight = masked_weight_for_dense_blocks(*pass, weight, mask);

    float* h = hidden.data_ptr<float>();
    const float* w = weight.data_ptr<float>();
    const float* b = bias.data_ptr<float>();
    for (std::int64_t target = 1; target < plan.num_layers(); ++target) {
      float* out = h + plan.layer_offset[target] * batch;
      const std::int64_t layer_entries = plan.layer_size(target) * batch;
      for (std::int64_t k = plan.first_block[target]; k < plan.first_block[target + 1]; ++k) {
        const DanBlock& block = plan.blocks[k];
        const bool first_of_layer = k == plan.first_block[target];
        // z = W x + b: the block's own pre-activation, or (activation of sum) added into the layer's rows
        float* z = sum_of_activations ? pre_activations.data_ptr<float>() + block.bias_offset * batch : out;
        const bool accumulate = !sum_of_activations && !first_of_layer;
        if (pass->dense[k]) {
          auto z_view = torch::from_blob(z, {block.rows, batch}, first.options());
          auto block_bias = bias.narrow(0, block.bias_offset, block.rows).unsqueeze(1);
          auto source = hidden.narrow(0, plan.layer_offset[block.source_layer], block.cols);
          auto block_weight = masked_weight.narrow(0, block.weight_offset, block.rows * block.cols)
                                  .view({block.rows, block.cols});
          if (accumulate) {
            z_view.add_(block_bias).addmm_(block_weight, source);
          } else {
            torch::addmm_out(z_view, block_bias, block_weight, source);
          }
        } else {
          sparse_forward(patterns[k], w + block.weight_offset, b + block.bias_offset,
                         h + plan.layer_offset[block.source_layer] * batch, z, batch, pass->threads, accumulate);
        }
        if (sum_of_activations) {
          if (first_of_layer) {
            for (std::int64_t e = 0; e < layer_entries; ++e) out[e] = std::max(z[e], 0.f);
          } else {
            for (std::int64_t e = 0; e < layer_entries; ++e) out[e] += std::max(z[e], 0.f);
          }
        }
      }
      if (!sum_of_activations) {
        for (std::int64_t e = 0; e < layer_entries; ++e) out[e] = std::max(out[e], 0.f);
      }
    }

    ctx->save_for_backward({first, weight, bias, mask, hidden, pre_activations});
    ctx->saved_data["pass"] = c10::IValue::make_capsule(pass);
    return hidden;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto pass = c10::static_intrusive_pointer_cast<DanPass>(ctx->saved_data["pass"].toCapsule());
    const auto saved = ctx->get_saved_variables();
    const auto& first = saved[0];
    const auto& weight = saved[1];
    const auto& bias = saved[2];
    const auto& mask = saved[3];
    const auto& hidden = saved[4];
    auto grad_hidden = grad_outputs[0].defined() ? grad_outputs[0] : torch::zeros_like(hidden);
    variable_list grads;
    if (torch::GradMode::is_enabled()) {
      // a graph of the gradient was asked for (second derivatives): differentiate the per-block ops instead
      grads = differentiable_backward(*pass, first, weight, bias, mask, grad_hidden);
    } else {
      grads = loop_backward(*pass, hidden, saved[5], weight, mask, grad_hidden);
    }
    grads.resize(5);  // the mask and the pass are not differentiable
    return grads;
  }

 private:
  // weight * mask as one packed tensor when some block goes through BLAS; undefined otherwise.
  static torch::Tensor masked_weight_for_dense_blocks(const DanPass& pass, const torch::Tensor& weight,
                                                      const torch::Tensor& mask) {
    const bool any_dense = std::any_of(pass.dense.begin(), pass.dense.end(), [](char d) { return d != 0; });
    return any_dense ? weight * mask.to(weight.scalar_type()) : torch::Tensor();
  }

  static variable_list differentiable_backward(const DanPass& pass, const torch::Tensor& first,
                                               const torch::Tensor& weight, const torch::Tensor& bias,
                                               const torch::Tensor& mask, const torch::Tensor& grad_hidden) {
    std::vector<torch::Tensor> inputs{first, weight, bias};
    std::vector<std::size_t> wanted;
    std::vector<torch::Tensor> wanted_inputs;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i].requires_grad()) {
        wanted.push_back(i);
        wanted_inputs.push_back(inputs[i]);
      }
    }
    variable_list grads(inputs.size());
    if (wanted_inputs.empty()) return grads;
    auto hidden = dan_hidden_per_block(*pass.plan, first, weight, bias, mask, pass.sum_of_activations);
    auto computed = torch::autograd::grad({hidden}, wanted_inputs, {grad_hidden}, /*retain_graph=*/true,
                                          /*create_graph=*/true, /*allow_unused=*/true);
    for (std::size_t i = 0; i < wanted.size(); ++i) grads[wanted[i]] = computed[i];
    return grads;
  }

  static variable_list loop_backward(const DanPass& pass, const torch::Tensor& hidden,
                                     const torch::Tensor& pre_activations, const torch::Tensor& weight,
                                     const torch::Tensor& mask, torch::Tensor grad_hidden) {
    const DanPlan& plan = *pass.plan;
    const auto& patterns = *pass.patterns;
    const std::int64_t batch = hidden.size(1);
    grad_hidden = grad_hidden.contiguous().clone();  // accumulates the gradient of every layer
    float* dh = grad_hidden.data_ptr<float>();
    const float* h = hidden.data_ptr<float>();
    const float* w = weight.data_ptr<float>();
    const auto masked_weight = masked_weight_for_dense_blocks(pass, weight, mask);

    std::int64_t max_rows = 0;
    for (const auto& block : plan.blocks) max_rows = std::max(max_rows, block.rows);
    auto weight_grad = torch::zeros({plan.weight_entries}, hidden.options());  // zero at inactive entries
    auto bias_grad = torch::empty({plan.bias_entries}, hidden.options());
    auto dz_buffer = torch::empty({max_rows, batch}, hidden.options());
    float* dz = dz_buffer.data_ptr<float>();

    for (std::int64_t target = plan.num_layers() - 1; target >= 1; --target) {
      const float* d_out = dh + plan.layer_offset[target] * batch;
      const float* out = h + plan.layer_offset[target] * batch;
      for (std::int64_t k = plan.first_block[target]; k < plan.first_block[target + 1]; ++k) {
        const DanBlock& block = plan.blocks[k];
        // derivative through this block's ReLU (its own, or the layer's shared one)
        const float* gate = pass.sum_of_activations
                                ? pre_activations.data_ptr<float>() + block.bias_offset * batch
                                : out;
        for (std::int64_t e = 0; e < block.rows * batch; ++e) dz[e] = gate[e] > 0.f ? d_out[e] : 0.f;
        float* db = bias_grad.data_ptr<float>() + block.bias_offset;
        for (std::int64_t i = 0; i < block.rows; ++i) {
          float sum = 0.f;
          for (std::int64_t b = 0; b < batch; ++b) sum += dz[i * batch + b];
          db[i] = sum;
        }
        const std::int64_t source_offset = plan.layer_offset[block.source_layer];
        float* dw = weight_grad.data_ptr<float>() + block.weight_offset;
        if (pass.dense[k]) {
          const std::int64_t entries = block.rows * block.cols;
          auto dz_view = dz_buffer.narrow(0, 0, block.rows);
          auto source = hidden.narrow(0, source_offset, block.cols);
          auto block_mask = mask.narrow(0, block.weight_offset, entries).view({block.rows, block.cols});
          torch::from_blob(dw, {block.rows, block.cols}, hidden.options())
              .copy_(torch::mm(dz_view, source.t()).mul_(block_mask));
          auto block_weight = masked_weight.narrow(0, block.weight_offset, entries).view({block.rows, block.cols});
          grad_hidden.narrow(0, source_offset, block.cols).addmm_(block_weight.t(), dz_view);
        } else {
          sparse_weight_grad(patterns[k], dz, h + source_offset * batch, dw, batch, pass.threads);
          sparse_input_grad(patterns[k], w + block.weight_offset, dz, dh + source_offset * batch, batch,
                            pass.threads, /*accumulate=*/true);
        }
      }
    }
    return {grad_hidden.narrow(0, 0, plan.layer_size(0)), weight_grad, bias_grad};
  }
};

}  // namespace

torch::Tensor dan_hidden_fused(const c10::intrusive_ptr<DanPass>& pass, const torch::Tensor& first,
                               const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& mask) {
  return DanHiddenFunction::apply(first, weight, bias, mask, pass);
}

}  // namespace structlab::nn::detail
