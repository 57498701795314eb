#pragma once
// Graph extraction: what each operation of a TorchScript forward graph does to the units its tensors carry.

#include <string>

namespace structlab::nn::detail {

/// The part an operation plays in the data flow between layers.
enum class OpRole {
  linear,       ///< aten::linear: a Linear layer
  convolution,  ///< aten::conv2d, aten::_convolution: a Conv2d layer
  elementwise,  ///< activations, dropout, normalisation, pooling, arithmetic, copies: the units of all its
                ///< tensor inputs, combined slot by slot (an addition's operands both feed what follows)
  flatten,      ///< aten::flatten (to the last dimension), aten::squeeze: channels become flattened channels
  unflatten,    ///< aten::unsqueeze: features become channels
  reshape,      ///< aten::view, aten::reshape: flatten or unflatten, by the number of sizes given (features
                ///< viewed as [batch, C, H, W]: each channel's H*W features in one slot)
  concatenate,  ///< aten::cat, aten::concat: the parts one after the other
  reduce,       ///< aten::mean, aten::sum, aten::amax: over spatial dimensions only, all of them unless
                ///< keepdim (global pooling)
  shape_query,  ///< aten::size, aten::dim, ...: reads a tensor's shape, carries no units
  pack,         ///< prim::ListConstruct, prim::TupleConstruct: a list or tuple of tensors
  unpack,       ///< prim::ListUnpack, prim::TupleUnpack: a list's or tuple's elements
  index,        ///< prim::TupleIndex, aten::__getitem__: one element of a list or tuple
  branch,       ///< prim::If
  loop,         ///< prim::Loop
  unknown,      ///< anything else: refused on the data path
};

/// The role of the operation named \p op ("aten::relu").
OpRole role_of(const std::string& op);

/// True for an in-place operation ("aten::relu_", "aten::add_"), whose first input is changed too.
bool is_in_place(const std::string& op);

}  // namespace structlab::nn::detail
