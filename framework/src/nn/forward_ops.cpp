#include "nn/forward_ops.hpp"

#include <unordered_map>

namespace structlab::nn::detail {
namespace {

/// Every operation with a known role; the in-place forms ("relu_") are looked up without the underscore.
const std::unordered_map<std::string, OpRole>& roles() {
  static const std::unordered_map<std::string, OpRole> table = [] {
    std::unordered_map<std::string, OpRole> t;
    t["aten::linear"] = OpRole::linear;
    t["aten::conv2d"] = OpRole::convolution;
    t["aten::_convolution"] = OpRole::convolution;
    for (const char* op :
         {// activations
          "relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "sigmoid", "tanh",
          "hardtanh", "hardsigmoid", "hardswish", "softplus", "prelu", "rrelu", "threshold", "log_sigmoid",
          "softmax", "log_softmax",
          // dropout
          "dropout", "feature_dropout", "alpha_dropout", "feature_alpha_dropout",
          // normalisation
          "batch_norm", "instance_norm", "layer_norm", "group_norm",
          // pooling and padding (spatial: the channels stay)
          "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
          "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
          "adaptive_max_pool2d", "adaptive_max_pool3d", "max_pool2d_with_indices", "constant_pad_nd", "pad",
          "reflection_pad2d", "replication_pad2d", "upsample_nearest2d", "upsample_bilinear2d",
          // arithmetic (an addition of two tensors is a skip connection: both feed what follows)
          "add", "sub", "rsub", "mul", "div", "true_divide", "neg", "abs", "pow", "sqrt", "rsqrt", "exp",
          "log", "square", "clamp", "clamp_min", "clamp_max", "clip", "maximum", "minimum", "where",
          // copies and conversions
          "contiguous", "clone", "detach", "to", "type_as", "float", "double", "half"}) {
      t[std::string("aten::") + op] = OpRole::elementwise;
    }
    t["aten::flatten"] = OpRole::flatten;
    t["aten::squeeze"] = OpRole::flatten;
    t["aten::unsqueeze"] = OpRole::unflatten;
    t["aten::view"] = OpRole::reshape;
    t["aten::reshape"] = OpRole::reshape;
    t["aten::cat"] = OpRole::concatenate;
    t["aten::concat"] = OpRole::concatenate;
    t["aten::mean"] = OpRole::reduce;
    t["aten::sum"] = OpRole::reduce;
    t["aten::amax"] = OpRole::reduce;
    for (const char* op :
         {"aten::size", "aten::dim", "aten::numel", "aten::len", "aten::stride", "prim::shape",
          "prim::device", "prim::dtype", "prim::layout", "prim::is_cuda", "prim::requires_grad",
          "aten::is_floating_point", "aten::__is__", "aten::__isnot__"}) {
      t[op] = OpRole::shape_query;
    }
    t["prim::ListConstruct"] = OpRole::pack;
    t["prim::TupleConstruct"] = OpRole::pack;
    t["prim::ListUnpack"] = OpRole::unpack;
    t["prim::TupleUnpack"] = OpRole::unpack;
    t["prim::TupleIndex"] = OpRole::index;
    t["aten::__getitem__"] = OpRole::index;
    t["prim::If"] = OpRole::branch;
    t["prim::Loop"] = OpRole::loop;
    return t;
  }();
  return table;
}

}  // namespace

bool is_in_place(const std::string& op) {
  return op.size() > 7 && op.compare(0, 6, "aten::") == 0 && op.back() == '_' && op[op.size() - 2] != '_';
}

OpRole role_of(const std::string& op) {
  const auto& table = roles();
  auto found = table.find(is_in_place(op) ? op.substr(0, op.size() - 1) : op);
  return found == table.end() ? OpRole::unknown : found->second;
}

}  // namespace structlab::nn::detail
