#include "structlab/nn/masked_linear.hpp"

#include "structlab/nn/init_generator.hpp"

#include <cmath>

#include "nn/model_input.hpp"
#include "nn/sparse_kernel.hpp"
#include "nn/sparse_linear.hpp"
#include "structlab/nn/sparse_kernels.hpp"
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

// A tensor on entries [offset, offset + numel(shape)) of a flat tensor's memory, contiguous in \p shape
// ([rows, cols] or [rows]). It shares the flat tensor's storage and version counter (so a write through the
// flat tensor is seen, as with a view) but is not an autograd view of it: the layer's weight stays an
// ordinary leaf. Made directly rather than through as_strided: a model makes hundreds of thousands of these
// and the dispatcher dominated.
torch::Tensor block_of(const torch::Tensor& flat, std::int64_t offset, at::IntArrayRef shape,
                       const char* what) {
  const std::int64_t cols = shape.size() == 2 ? shape[1] : 1;
  const std::int64_t entries = shape[0] * cols;
  if (!flat.defined() || flat.dim() != 1 || !flat.is_contiguous() || offset < 0 ||
      offset + entries > flat.numel()) {
    const bool flat_ok = flat.defined() && flat.dim() == 1 && flat.is_contiguous();
    throw ModelError(std::string("MaskedLinear: packed ") + what + " block at offset " +
                     std::to_string(offset) + " of " + std::to_string(entries) + " entries does not fit " +
                     (flat_ok ? "a flat storage of " + std::to_string(flat.numel()) + " entries"
                              : std::string("its storage, which must be one flat contiguous tensor")));
  }
  auto block =
      at::detail::make_tensor<c10::TensorImpl>(c10::Storage(flat.storage()), flat.key_set(), flat.dtype());
  const std::int64_t row_stride[] = {cols, 1};
  block.unsafeGetTensorImpl()->set_sizes_and_strides(
      shape, at::IntArrayRef(row_stride + 2 - shape.size(), shape.size()), flat.storage_offset() + offset);
  block.unsafeGetTensorImpl()->set_version_counter(flat.unsafeGetTensorImpl()->version_counter());
  return block;
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
        "MaskedLinear: packed weight storage must not require grad; its blocks become the parameters");
  }
  weight = register_parameter("weight", block_of(storage.weight, storage.weight_offset, {out, in}, "weight"));
  bias = options.bias()
             ? register_parameter("bias", block_of(storage.bias, storage.bias_offset, {out}, "bias"))
             : register_parameter("bias", torch::Tensor(), /*requires_grad=*/false);
  auto mask = block_of(storage.mask, storage.weight_offset, {out, in}, "mask");
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
  // torch::nn::Linear's initialisation (kaiming_uniform_ with a = sqrt(5), computed as torch computes it), so
  // a fully unmasked layer starts like a dense one; drawn from this thread's initialisation generator
  const auto generator = init_generator();
  const double fan_in = static_cast<double>(options.in_features());
  const double a = std::sqrt(5.0);
  const double gain = std::sqrt(2.0 / (1 + a * a));
  const double weight_bound = std::sqrt(3.0) * (gain / std::sqrt(fan_in));
  weight.uniform_(-weight_bound, weight_bound, generator);
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(fan_in);
    bias.uniform_(-bound, bound, generator);
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
  if (uses_sparse_path(input)) {
    return detail::sparse_masked_linear(input, weight, bias, sparse_pattern_.pattern(mask_));
  }
  return torch::nn::functional::linear(input, effective_weight(), bias);
}

bool MaskedLinearImpl::uses_sparse_path(const torch::Tensor& input) const {
  const auto mode = sparse_kernels();
  if (mode == SparseKernels::off || !detail::sparse_path_applies(input, weight, bias)) return false;
  if (mode == SparseKernels::on) return true;
  const std::int64_t batch = input.numel() / options.in_features();
  return sparse_path_pays(options.out_features(), options.in_features(), sparse_pattern_.active(mask_), batch);
}

torch::Tensor MaskedLinearImpl::effective_weight() const {
  const auto multiplier = multiplier_.get(mask_, weight);
  // with every weight active, weight * 1 is weight itself: same values, same gradient, no extra pass
  return multiplier.defined() ? weight * multiplier : weight;
}

namespace detail {

bool MaskIdentity::matches(const torch::Tensor& mask) const {
  return impl_ == mask.unsafeGetTensorImpl() &&
         storage_.unsafeGetStorageImpl() == mask.storage().unsafeGetStorageImpl() &&
         data_ == mask.data_ptr() && version_ == mask._version();
}

void MaskIdentity::remember(const torch::Tensor& mask) {
  impl_ = mask.unsafeGetTensorImpl();
  storage_ = mask.storage();
  data_ = mask.data_ptr();
  version_ = mask._version();
}

MaskMultiplierCache& MaskMultiplierCache::operator=(const MaskMultiplierCache& /*other*/) {
  std::lock_guard<std::mutex> lock(mutex_);
  multiplier_ = torch::Tensor();
  mask_ = MaskIdentity();
  return *this;
}

torch::Tensor MaskMultiplierCache::get(const torch::Tensor& mask, const torch::Tensor& weight) {
  std::lock_guard<std::mutex> lock(mutex_);
  const bool fresh = mask_.matches(mask) && weight_dtype_ == weight.scalar_type() &&
                     weight_device_ == weight.device();
  if (!fresh) {
    torch::NoGradGuard no_grad;
    // a new tensor each time, never an in-place update: autograd may still hold the old one for a backward
    multiplier_ = mask.all().item<bool>() ? torch::Tensor() : mask.to(weight.device(), weight.scalar_type());
    mask_.remember(mask);
    weight_dtype_ = weight.scalar_type();
    weight_device_ = weight.device();
  }
  return multiplier_;
}

SparsePatternCache& SparsePatternCache::operator=(const SparsePatternCache& /*other*/) {
  std::lock_guard<std::mutex> lock(mutex_);
  pattern_.reset();
  active_ = 0;
  mask_ = MaskIdentity();
  return *this;
}

void SparsePatternCache::refresh(const torch::Tensor& mask) {
  if (mask_.matches(mask)) return;
  pattern_.reset();
  active_ = mask.sum().item<std::int64_t>();
  mask_.remember(mask);
}

std::int64_t SparsePatternCache::active(const torch::Tensor& mask) {
  std::lock_guard<std::mutex> lock(mutex_);
  refresh(mask);
  return active_;
}

std::shared_ptr<const SparsePattern> SparsePatternCache::pattern(const torch::Tensor& mask) {
  std::lock_guard<std::mutex> lock(mutex_);
  refresh(mask);
  if (!pattern_) {
    const auto bytes = mask.contiguous();
    pattern_ = std::make_shared<const SparsePattern>(
        SparsePattern::of_mask(bytes.data_ptr<bool>(), bytes.size(0), bytes.size(1)));
  }
  return pattern_;
}

}  // namespace detail

void MaskedLinearImpl::to(torch::Device device, torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(device, dtype, non_blocking);
  keep_mask_bool();
}

void MaskedLinearImpl::to(torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(dtype, non_blocking);
  keep_mask_bool();
}

void MaskedLinearImpl::keep_mask_bool() {
  // Module::to converts every buffer; the mask holds 0/1, so converting it back is exact
  if (mask_.scalar_type() != torch::kBool) mask_.set_data(mask_.to(torch::kBool));
}

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
  // in place: the buffer stays registered (and stays on the owner's packed mask memory)
  mask_.copy_(mask.to(mask_.device()) != 0);
}

std::int64_t MaskedLinearImpl::active_weight_count() const { return mask_.sum().item<std::int64_t>(); }

std::int64_t MaskedLinearImpl::total_weight_count() const { return mask_.numel(); }

}  // namespace structlab::nn
