#pragma once
/// \file
/// MaskedLinear: a linear layer whose weight is multiplied by a boolean mask in every forward pass.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <ostream>

namespace structlab::nn {

/// Options of a MaskedLinear layer.
struct MaskedLinearOptions {
  /// Options for a layer mapping \p in_features to \p out_features.
  MaskedLinearOptions(std::int64_t in_features, std::int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  TORCH_ARG(std::int64_t, in_features);   ///< input width
  TORCH_ARG(std::int64_t, out_features);  ///< output width
  TORCH_ARG(bool, bias) = true;           ///< whether the layer has a bias
};

/// Flat memory in which a model lays out the tensors of many MaskedLinear layers, so it can initialise them
/// with one tensor operation and read them as one array (MaskedDeepDAN packs its blocks its own way, as views
/// into registered packed parameters; this is for models that want MaskedLinear modules on shared memory). The flat tensors are only
/// memory, not parameters: each layer registers its own [out, in] / [out] tensors on that memory (sharing
/// the storage, not autograd views) as its parameters and buffer.
struct PackedLayerStorage {
  torch::Tensor weight;  ///< flat float tensor, already initialised; must not require grad
  torch::Tensor bias;    ///< flat float tensor, already initialised; unused when the layer has no bias
  torch::Tensor mask;    ///< flat bool tensor, same layout as weight
  std::int64_t weight_offset = 0;  ///< first entry of this layer's block in weight and mask
  std::int64_t bias_offset = 0;    ///< first entry of this layer's bias
};

namespace detail {
struct SparsePattern;

/// Who a mask is: its tensor, memory and version counter. Two readings match only while the same mask has
/// not been written in between (an in-place write bumps the version; a new tensor has another identity).
class MaskIdentity {
 public:
  /// Whether \p mask is the tensor remembered, unchanged since.
  bool matches(const torch::Tensor& mask) const;
  /// Remembers \p mask (and holds its storage, so its address cannot come back as another mask's).
  void remember(const torch::Tensor& mask);

 private:
  const void* impl_ = nullptr;
  const void* data_ = nullptr;
  c10::Storage storage_;
  std::uint32_t version_ = 0;
};

/// The mask as a tensor of the weight's dtype, remade only when the mask, the weight's dtype or the device
/// changes: multiplying by a float tensor is several times faster than by a bool one (type promotion per
/// element). An all-true mask gives an undefined tensor: nothing to multiply. Copies start empty, so a cloned
/// layer never shares it.
class MaskMultiplierCache {
 public:
  MaskMultiplierCache() = default;
  /// A copy starts empty.
  MaskMultiplierCache(const MaskMultiplierCache& /*other*/) {}
  /// Assignment empties the cache.
  MaskMultiplierCache& operator=(const MaskMultiplierCache& /*other*/);
  /// \p mask converted to \p weight's dtype and device, or an undefined tensor when every entry is true;
  /// from the cache when the mask is unchanged (same tensor, memory and version counter).
  torch::Tensor get(const torch::Tensor& mask, const torch::Tensor& weight);

 private:
  std::mutex mutex_;
  torch::Tensor multiplier_;
  MaskIdentity mask_;
  torch::ScalarType weight_dtype_ = torch::kFloat;
  torch::Device weight_device_ = torch::kCPU;
};

/// The index lists of a CPU mask's active entries (for the sparse kernels), rebuilt only when the mask
/// changes: a pruning step or a regrowth re-decides the layer's kernel. Copies start empty.
class SparsePatternCache {
 public:
  SparsePatternCache() = default;
  /// A copy starts empty.
  SparsePatternCache(const SparsePatternCache& /*other*/) {}
  /// Assignment empties the cache.
  SparsePatternCache& operator=(const SparsePatternCache& /*other*/);
  /// The number of true entries of \p mask, counted once per mask version (the index lists are not built).
  std::int64_t active(const torch::Tensor& mask);
  /// The pattern of \p mask (bool, [out, in], on the CPU), built on first use per mask version; shared and
  /// never changed once made, so a graph waiting for its backward keeps the pattern of the mask it ran with.
  std::shared_ptr<const SparsePattern> pattern(const torch::Tensor& mask);

 private:
  void refresh(const torch::Tensor& mask);

  std::mutex mutex_;
  std::shared_ptr<const SparsePattern> pattern_;
  std::int64_t active_ = 0;
  MaskIdentity mask_;
};
}  // namespace detail

/// A torch Linear layer plus a bool mask buffer [out, in], all true at start.
///
/// forward(x) = linear(x, weight * mask, bias), so masked-out weights get zero gradient and have no
/// effect whatever the optimizer does to their stored value. On the CPU in float32 the same result can come
/// from the sparse kernels, which visit only the active weights; this thread's SparseKernels mode decides
/// (structlab/nn/sparse_kernels.hpp).
/// The layer registers parameters "weight" and "bias" and the buffer "mask".
class MaskedLinearImpl : public torch::nn::Cloneable<MaskedLinearImpl> {
 public:
  /// A layer from \p in_features to \p out_features; throws ModelError when either is not positive.
  MaskedLinearImpl(std::int64_t in_features, std::int64_t out_features);
  /// A layer from options; throws ModelError when a size is not positive.
  explicit MaskedLinearImpl(const MaskedLinearOptions& options);
  /// A layer whose weight, bias and mask live on one block of \p storage, keeping their values (they
  /// are not re-initialised); throws ModelError when a size is not positive, a flat tensor is not
  /// contiguous or the block lies outside it. clone() of such a layer owns fresh tensors.
  MaskedLinearImpl(const MaskedLinearOptions& options, const PackedLayerStorage& storage);

  /// (Re)initialises weight and bias as torch::nn::Linear does and sets the mask to all true.
  void reset() override;
  /// Converts weight and bias to \p dtype on \p device; the mask moves to \p device and stays bool.
  void to(torch::Device device, torch::Dtype dtype, bool non_blocking = false) override;
  /// Converts weight and bias to \p dtype; the mask stays bool.
  void to(torch::Dtype dtype, bool non_blocking = false) override;
  using torch::nn::Module::to;
  /// Prints "structlab::nn::MaskedLinear(in=.., out=.., bias=.., active=..)".
  void pretty_print(std::ostream& stream) const override;

  /// linear(input, weight * mask, bias), on the sparse path when this thread's SparseKernels mode and
  /// uses_sparse_path say so; throws ModelError when the last dimension of \p input is not in_features.
  torch::Tensor forward(const torch::Tensor& input);
  /// Whether forward(\p input) takes the sparse path under this thread's SparseKernels mode: the input and
  /// weight are float32 on the CPU and the mode is on, or automatic and sparse_path_pays for the batch.
  bool uses_sparse_path(const torch::Tensor& input) const;

  /// Makes the mask hard: weight <- weight * mask (not undoable).
  void apply_mask();
  /// Sets mask <- |weight| >= theta.
  void recompute_mask(double theta);
  /// Copies \p mask (any dtype; nonzero means active) into the mask buffer; throws ModelError naming
  /// both shapes when the shape is not [out, in].
  void set_mask(const torch::Tensor& mask);
  /// The current mask (bool, [out, in]).
  const torch::Tensor& mask() const { return mask_; }
  /// weight * mask, differentiable with respect to weight: the weight the forward pass uses. While every
  /// mask entry is true this is the weight parameter itself (no copy), so autograd then saves the
  /// parameter and an in-place change of it before backward is an error, as with torch::nn::Linear.
  torch::Tensor effective_weight() const;
  /// Number of true mask entries.
  std::int64_t active_weight_count() const;
  /// Number of weight entries (out * in).
  std::int64_t total_weight_count() const;

  /// Weight [out, in].
  torch::Tensor weight;
  /// Bias [out]; undefined when the layer has none.
  torch::Tensor bias;
  /// The options the layer was built with.
  MaskedLinearOptions options;

 private:
  void initialise_values();
  void keep_mask_bool();

  torch::Tensor mask_;
  mutable detail::MaskMultiplierCache multiplier_;
  mutable detail::SparsePatternCache sparse_pattern_;
};

/// Module holder for MaskedLinearImpl, as torch::nn::Linear is for LinearImpl.
TORCH_MODULE(MaskedLinear);

}  // namespace structlab::nn
