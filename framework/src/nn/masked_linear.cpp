#include "structlab/nn/masked_linear.hpp"

#include <cmath>

#include "nn/model_input.hpp"
#include "structlab/error.hpp"

namespace structlab::nn {
namespace {

using detail::shape_text;

void check_sizes(const MaskedLinearOptions& options) {
  if (options.in_features() <= 0 || options.out_features() <= 0) {
    throw ModelError("MaskedLinear: in_features and out_features must be positive, got in_features=" +
                     std::to_string(options.in_features()) +
                     ", out_features=" + std::to_string(options.out_features()));
  }
}

// A [rows, cols] view of entries [offset, offset + rows*cols) of a flat tensor.
torch::Tensor block_of(const torch::Tensor& flat, std::int64_t offset, std::int64_t rows, std::int64_t cols,
                       const char* what) {
  if (!flat.defined() || flat.dim() != 1 || offset < 0 || offset + rows * cols > flat.numel()) {
    throw ModelError(std::string("MaskedLinear: packed ") + what + " block at offset " +
                     std::to_string(offset) + " of " + std::to_string(rows * cols) +
                     " entries does not fit a flat storage of " +
                     (flat.defined() ? std::to_string(flat.numel()) : std::string("no")) + " entries");
  }
  return flat.narrow(0, offset, rows * cols).view({rows, cols});
}

}  // namespace

MaskedLinearImpl::MaskedLinearImpl(std::int64_t in_features, std::int64_t out_features)
    : MaskedLinearImpl(MaskedLinearOptions(in_features, out_features)) {}

MaskedLinearImpl::MaskedLinearImpl(const MaskedLinearOptions& options_) : options(options_) {
  check_sizes(options);
  reset();
}

MaskedLinearImpl::MaskedLinearImpl(const MaskedLinearOptions& options_, const PackedLayerStorage& storage)
    : options(options_) {
  check_sizes(options);
  const auto out = options.out_features(), in = options.in_features();
  if (storage.weight.defined() && storage.weight.requires_grad()) {
    throw ModelError(
        "MaskedLinear: packed weight storage must not require grad; its views become the parameters");
  }
  weight = register_parameter("weight", block_of(storage.weight, storage.weight_offset, out, in, "weight"));
  bias = options.bias() ? register_parameter(
                              "bias", block_of(storage.bias, storage.bias_offset, out, 1, "bias").view({out}))
                        : register_parameter("bias", torch::Tensor(), /*requires_grad=*/false);
  auto mask = block_of(storage.mask, storage.weight_offset, out, in, "mask");
  if (mask.scalar_type() != torch::kBool) throw ModelError("MaskedLinear: packed mask storage must be bool");
  mask_ = register_buffer("mask", mask);
}

void MaskedLinearImpl::reset() {
  if (named_parameters(/*recurse=*/false).find("weight") == nullptr) {
    weight = register_parameter("weight", torch::empty({options.out_features(), options.in_features()}));
    bias = options.bias() ? register_parameter("bias", torch::empty({options.out_features()}))
                          : register_parameter("bias", torch::Tensor(), /*requires_grad=*/false);
    mask_ =
        register_buffer("mask", torch::ones({options.out_features(), options.in_features()}, torch::kBool));
  }
  initialise_values();
}

void MaskedLinearImpl::initialise_values() {
  torch::NoGradGuard no_grad;
  // torch::nn::Linear's initialisation, so a fully unmasked layer starts like a dense one
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(options.in_features()));
    torch::nn::init::uniform_(bias, -bound, bound);
  }
  mask_.fill_(true);
}

void MaskedLinearImpl::pretty_print(std::ostream& stream) const {
  stream << "structlab::nn::MaskedLinear(in=" << options.in_features() << ", out=" << options.out_features()
         << ", bias=" << (options.bias() ? "true" : "false") << ", active=" << active_weight_count() << "/"
         << total_weight_count() << ")";
}

torch::Tensor MaskedLinearImpl::forward(const torch::Tensor& input) {
  if (input.dim() < 1 || input.size(-1) != options.in_features()) {
    throw ModelError("MaskedLinear: input of shape " + shape_text(input.sizes()) +
                     " does not end in in_features=" + std::to_string(options.in_features()));
  }
  return torch::nn::functional::linear(input, effective_weight(), bias);
}

torch::Tensor MaskedLinearImpl::effective_weight() const { return weight * mask_; }

void MaskedLinearImpl::apply_mask() {
  torch::NoGradGuard no_grad;
  weight.mul_(mask_);
}

void MaskedLinearImpl::recompute_mask(double theta) {
  torch::NoGradGuard no_grad;
  mask_.copy_(weight.abs() >= theta);
}

void MaskedLinearImpl::set_mask(const torch::Tensor& mask) {
  if (!mask.defined() || mask.sizes() != mask_.sizes()) {
    throw ModelError("MaskedLinear: mask of shape " +
                     (mask.defined() ? shape_text(mask.sizes()) : "(undefined)") +
                     " given, expected [out_features, in_features] = " + shape_text(mask_.sizes()));
  }
  torch::NoGradGuard no_grad;
  // in place: the buffer stays registered (or stays a view of the owner's packed mask)
  mask_.copy_(mask.to(mask_.device()) != 0);
}

std::int64_t MaskedLinearImpl::active_weight_count() const { return mask_.sum().item<std::int64_t>(); }

std::int64_t MaskedLinearImpl::total_weight_count() const { return mask_.numel(); }

}  // namespace structlab::nn
