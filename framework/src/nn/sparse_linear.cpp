#include "nn/sparse_linear.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "nn/sparse_kernel.hpp"

namespace structlab::nn::detail {
namespace {

// The pattern travels with the autograd node as a capsule in its saved data.
struct PatternHolder : torch::CustomClassHolder {
  explicit PatternHolder(std::shared_ptr<const SparsePattern> held) : pattern(std::move(held)) {}
  std::shared_ptr<const SparsePattern> pattern;
};

// The mask the pattern was made from, as 0/1 in \p options.
torch::Tensor dense_mask_of(const SparsePattern& pattern, const torch::TensorOptions& options) {
  auto mask = torch::zeros({pattern.rows, pattern.cols}, torch::kFloat);
  float* data = mask.data_ptr<float>();
  for (std::int64_t r = 0; r < pattern.rows; ++r) {
    for (std::int32_t k = pattern.row_start[r]; k < pattern.row_start[r + 1]; ++k) {
      data[r * pattern.cols + pattern.row_cols[k]] = 1.0f;
    }
  }
  return mask.to(options);
}

// An absent bias travels as an empty tensor: an autograd function's tensor arguments must be defined.
const float* data_or_null(const torch::Tensor& tensor) {
  return tensor.numel() > 0 ? tensor.data_ptr<float>() : nullptr;
}

class SparseMaskedLinearFunction : public torch::autograd::Function<SparseMaskedLinearFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor input, torch::Tensor weight,
                               torch::Tensor bias, c10::intrusive_ptr<PatternHolder> holder) {
    const SparsePattern& pattern = *holder->pattern;
    const std::int64_t batch = input.size(0);
    // a transposed input (the output of another sparse layer, or an elementwise op on one) is already
    // contiguous here and costs no copy
    auto xT = input.t().contiguous();
    // [batch, rows] laid out as yT [rows, batch]: a tensor of its own, not a view made inside this function
    // (which autograd would refuse to let callers change in place)
    auto output = torch::empty_strided({batch, pattern.rows}, {1, batch}, input.options());
    const float* weights = weight.data_ptr<float>();
    const float* biases = data_or_null(bias);
    const float* x = xT.data_ptr<float>();
    float* y = output.data_ptr<float>();
    sparse_forward(pattern, weights, biases, x, y, batch, at::get_num_threads());
    ctx->save_for_backward({input, xT, weight});
    ctx->saved_data["pattern"] = c10::IValue::make_capsule(holder);
    ctx->saved_data["has_bias"] = biases != nullptr;
    return output;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto& input = saved[0];
    const auto& xT = saved[1];
    const auto& weight = saved[2];
    const auto holder = c10::static_intrusive_pointer_cast<PatternHolder>(ctx->saved_data["pattern"].toCapsule());
    const SparsePattern& pattern = *holder->pattern;
    const bool has_bias = ctx->saved_data["has_bias"].toBool();
    const auto& grad = grad_outputs[0];
    torch::Tensor grad_input, grad_weight, grad_bias;
    if (!grad.defined()) return {grad_input, grad_weight, grad_bias, torch::Tensor()};
    const bool want_input = ctx->needs_input_grad(0);
    const bool want_weight = ctx->needs_input_grad(1);
    const bool want_bias = has_bias && ctx->needs_input_grad(2);

    if (torch::GradMode::is_enabled()) {
      // a graph of the gradient is asked for (second-order methods): the same values from differentiable ops
      const auto mask = dense_mask_of(pattern, weight.options());
      if (want_input) grad_input = grad.mm(weight * mask);
      if (want_weight) grad_weight = grad.t().mm(input) * mask;
      if (want_bias) grad_bias = grad.sum(0);
      return {grad_input, grad_weight, grad_bias, torch::Tensor()};
    }

    const std::int64_t batch = grad.size(0);
    const auto gyT = grad.t().contiguous();
    const float* gy = gyT.data_ptr<float>();
    if (want_weight) {
      grad_weight = torch::zeros_like(weight);  // exactly zero at every masked position
      float* gw = grad_weight.data_ptr<float>();
      const float* x = xT.data_ptr<float>();
      sparse_weight_grad(pattern, gy, x, gw, batch, at::get_num_threads());
    }
    if (want_input) {
      grad_input = torch::empty_strided({batch, pattern.cols}, {1, batch}, grad.options());
      float* gx = grad_input.data_ptr<float>();
      const float* weights = weight.data_ptr<float>();
      sparse_input_grad(pattern, weights, gy, gx, batch, at::get_num_threads());
    }
    if (want_bias) grad_bias = gyT.sum(1);
    return {grad_input, grad_weight, grad_bias, torch::Tensor()};
  }
};

bool float_cpu(const torch::Tensor& tensor) {
  return tensor.device().is_cpu() && tensor.scalar_type() == torch::kFloat && tensor.layout() == torch::kStrided;
}

}  // namespace

bool sparse_path_applies(const torch::Tensor& input, const torch::Tensor& weight, const torch::Tensor& bias) {
  return input.defined() && input.dim() >= 1 && float_cpu(input) && float_cpu(weight) && weight.dim() == 2 &&
         weight.is_contiguous() && weight.numel() <= std::numeric_limits<std::int32_t>::max() &&
         (!bias.defined() || (float_cpu(bias) && bias.is_contiguous()));
}

torch::Tensor sparse_masked_linear(const torch::Tensor& input, const torch::Tensor& weight,
                                   const torch::Tensor& bias, std::shared_ptr<const SparsePattern> pattern) {
  const auto input2d = input.dim() == 2 ? input : input.reshape({-1, input.size(-1)});
  auto output = SparseMaskedLinearFunction::apply(input2d, weight,
                                                  bias.defined() ? bias : torch::empty({0}, weight.options()),
                                                  c10::make_intrusive<PatternHolder>(std::move(pattern)));
  if (input.dim() == 2) return output;
  auto sizes = input.sizes().vec();
  sizes.back() = weight.size(0);
  return output.reshape(sizes);
}

}  // namespace structlab::nn::detail
