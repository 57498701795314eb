#include "nn/forward_walk.hpp"

#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/ir/ir.h>

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "nn/forward_ops.hpp"
#include "nn/layer_edges.hpp"
#include "nn/model_input.hpp"
#include "nn/unit_feed.hpp"
#include "structlab/error.hpp"

namespace structlab::nn::detail {
namespace {

using torch::jit::Block;
using torch::jit::Node;
using torch::jit::Value;

/// The integer constant \p value holds, if it is one.
std::optional<std::int64_t> constant_int(const Value* value) {
  auto constant = torch::jit::toIValue(value);
  if (constant && constant->isInt()) return constant->toInt();
  return std::nullopt;
}

/// The boolean constant \p value holds, if it is one.
std::optional<bool> constant_bool(const Value* value) {
  auto constant = torch::jit::toIValue(value);
  if (constant && constant->isBool()) return constant->toBool();
  return std::nullopt;
}

/// The integer list \p value holds: a constant list, or a list built of integer constants.
std::optional<std::vector<std::int64_t>> constant_ints(const Value* value) {
  auto constant = torch::jit::toIValue(value);
  if (constant && constant->isIntList()) return constant->toIntVector();
  if (value->node()->kind() != c10::prim::ListConstruct) return std::nullopt;
  std::vector<std::int64_t> items;
  for (const Value* item : value->node()->inputs()) {
    auto number = constant_int(item);
    if (!number) return std::nullopt;
    items.push_back(*number);
  }
  return items;
}

/// The number of sizes a view/reshape is given, when the graph shows it.
std::optional<std::size_t> size_count(const Value* sizes) {
  if (sizes->node()->kind() == c10::prim::ListConstruct) return sizes->node()->inputs().size();
  auto constant = torch::jit::toIValue(sizes);
  if (constant && constant->isIntList()) return constant->toIntVector().size();
  return std::nullopt;
}

/// The sizes a view/reshape is given, each one known when it is a constant; nullopt when the list is not
/// shown.
std::optional<std::vector<std::optional<std::int64_t>>> size_items(const Value* sizes) {
  std::vector<std::optional<std::int64_t>> items;
  if (auto constant = constant_ints(sizes)) {
    for (std::int64_t size : *constant) items.emplace_back(size);
    return items;
  }
  if (sizes->node()->kind() != c10::prim::ListConstruct) return std::nullopt;
  for (const Value* item : sizes->node()->inputs()) items.push_back(constant_int(item));
  return items;
}

/// The channel count C of a view/reshape of \p total values per sample to \p sizes [batch, C, ...]: C when it
/// is a positive constant, else total divided by the other sizes when those are constants (x.view(B, -1, 4,
/// 4)); nullopt when the graph does not show it.
std::optional<std::int64_t> image_channels(const Value* sizes, std::int64_t total) {
  auto items = size_items(sizes);
  if (!items || items->size() < 3) return std::nullopt;
  if ((*items)[1] && *(*items)[1] > 0) return (*items)[1];
  std::int64_t rest = 1;
  for (std::size_t i = 2; i < items->size(); ++i) {
    if (!(*items)[i] || *(*items)[i] < 1) return std::nullopt;
    rest *= *(*items)[i];
  }
  if (total % rest != 0) return std::nullopt;
  return total / rest;
}

/// The number of dimensions of \p value when its type records it (a loaded graph mostly does not).
std::optional<std::int64_t> rank_of(const Value* value) {
  auto type = value->type()->cast<c10::TensorType>();
  if (!type || !type->dim()) return std::nullopt;
  return static_cast<std::int64_t>(*type->dim());
}

/// "[2, 3]" for a list of dimensions.
std::string dims_text(const std::vector<std::int64_t>& dims) {
  std::string text = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

bool is_tensor(const Value* value) { return value->type()->kind() == c10::TypeKind::TensorType; }

/// "features.0" for the attribute path features.0.weight; "weight" for a weight on the model itself.
std::string module_path(const std::vector<std::string>& attributes) {
  if (attributes.size() == 1) return attributes.front();
  std::string path;
  for (std::size_t i = 0; i + 1 < attributes.size(); ++i) path += (i ? "." : "") + attributes[i];
  return path;
}

/// A layer's weight and the module it belongs to.
struct LayerWeight {
  std::string name;      ///< the module path, e.g. "features.0"
  torch::Tensor tensor;  ///< the weight itself
};

/// Follows one forward graph, node by node, keeping what each tensor carries of the network's units.
class Walker {
 public:
  Walker(const torch::jit::Module& module, const Value* self, double threshold, std::string model)
      : module_(module), self_(self), threshold_(threshold), model_(std::move(model)) {}

  /// Marks \p input as the model input.
  void start(const Value* input) {
    UnitFeed feed;
    feed.model_input = true;
    feed.layout = FeedLayout::channels;  // not flattened yet: the first layer reading it decides
    feeds_[input] = feed;
  }

  /// Visits every node of \p block; \p nesting counts the conditionals around it.
  void walk(const Block* block, int nesting, bool in_loop) {
    for (const Node* node : block->nodes()) visit(node, nesting, in_loop);
  }

  /// What was found, edges sorted.
  ForwardWalk finish() {
    std::sort(result_.edges.begin(), result_.edges.end());
    result_.edges.erase(std::unique(result_.edges.begin(), result_.edges.end()), result_.edges.end());
    return std::move(result_);
  }

 private:
  void visit(const Node* node, int nesting, bool in_loop) {
    const std::string op = node->kind().toQualString();
    const OpRole role = role_of(op);
    if (role == OpRole::branch) return visit_branch(node, nesting, in_loop);
    if (role == OpRole::loop) return visit_loop(node, nesting);
    const bool layer = role == OpRole::linear || role == OpRole::convolution;
    if (!layer && !touches_units(node)) return;  // shapes, constants, attributes: not on the data path
    if (in_loop) {
      throw ModelError(where(op) +
                       " runs inside a loop (prim::Loop) on the data path; expected a forward whose "
                       "layers and the operations between them run once");
    }
    switch (role) {
      case OpRole::linear:
      case OpRole::convolution:
        return visit_layer(node, op, role, nesting);
      case OpRole::elementwise:
        return visit_elementwise(node, op);
      case OpRole::flatten:
        return visit_flatten(node, op);
      case OpRole::unflatten:
        return set(node->output(0), unflattened(required(node->input(0), op)));
      case OpRole::reshape:
        return visit_reshape(node, op);
      case OpRole::concatenate:
        return visit_concatenate(node, op);
      case OpRole::reduce:
        return visit_reduce(node, op);
      case OpRole::shape_query:
        return;
      case OpRole::pack: {
        packs_[node->output(0)] = std::vector<const Value*>(node->inputs().begin(), node->inputs().end());
        return;
      }
      case OpRole::unpack:
        return visit_unpack(node, op);
      case OpRole::index:
        return visit_index(node, op);
      case OpRole::branch:
      case OpRole::loop:
      case OpRole::unknown:
        break;
    }
    throw unsupported(op);
  }

  // --- messages ---------------------------------------------------------------------------------------

  /// "MODEL: OP (after layer 'fc1')", or "(on the model input)" before any layer.
  std::string where(const std::string& op) const {
    return model_ + ": " + op +
           (last_layer_.empty() ? " (on the model input)" : " (after layer '" + last_layer_ + "')");
  }

  ModelError unsupported(const std::string& op) const {
    return ModelError(where(op) +
                      " is on the data path, and graph extraction does not follow it; it follows "
                      "Linear and Conv2d layers through activations, dropout, normalisation, pooling, "
                      "elementwise arithmetic (an addition is a skip connection), flatten (to the last "
                      "dimension)/view/reshape, mean/sum over all spatial dimensions and cat on dim 1");
  }

  // --- feeds --------------------------------------------------------------------------------------------

  bool touches_units(const Node* node) const {
    for (const Value* input : node->inputs()) {
      if (feeds_.count(input) || packs_.count(input)) return true;
    }
    return false;
  }

  const UnitFeed* feed_of(const Value* value) const {
    auto found = feeds_.find(value);
    return found == feeds_.end() ? nullptr : &found->second;
  }

  const UnitFeed& required(const Value* value, const std::string& op) const {
    const UnitFeed* feed = feed_of(value);
    if (!feed) throw unsupported(op);  // the units reach it through another input (a list, an option)
    return *feed;
  }

  void set(const Value* value, UnitFeed feed) { feeds_[value] = std::move(feed); }

  /// Fixes the model input's units: \p count features, or channels when \p channels.
  void size_input(bool channels, std::int64_t count) {
    input_sized_ = true;
    result_.input_is_channels = channels;
    result_.input_units = count;
    result_.num_vertices = count;
  }

  /// \p feed with a pending model input replaced by the input's units; throws when none has read it yet.
  UnitFeed concrete(const UnitFeed& feed, const std::string& at) const {
    if (!feed.model_input) return feed;
    if (!input_sized_) {
      throw ModelError(at +
                       " uses the model input in two shapes before any layer has read it; expected the "
                       "first Linear or Conv2d layer to read the input before it is combined");
    }
    if (!result_.input_is_channels) return UnitFeed::fresh(FeedLayout::features, 0, result_.input_units);
    const FeedLayout layout =
        feed.layout == FeedLayout::flattened ? FeedLayout::flattened : FeedLayout::channels;
    return UnitFeed::fresh(layout, 0, result_.input_units);
  }

  UnitFeed combine(const UnitFeed& a, const UnitFeed& b, const std::string& at) const {
    if (a.model_input && b.model_input && a.layout == b.layout) return a;
    return combined(concrete(a, at), concrete(b, at), at);
  }

  // --- operations between layers ---------------------------------------------------------------------

  void visit_elementwise(const Node* node, const std::string& op) {
    std::optional<UnitFeed> out;
    for (const Value* input : node->inputs()) {
      if (packs_.count(input)) throw unsupported(op);
      const UnitFeed* feed = feed_of(input);
      if (feed) out = out ? combine(*out, *feed, where(op)) : *feed;
    }
    if (!out) throw unsupported(op);
    for (const Value* output : node->outputs()) {
      if (is_tensor(output)) set(output, *out);
    }
    // x.add_(y) changes x itself: later uses of x see y's units too
    if (is_in_place(op) && is_tensor(node->input(0))) set(node->input(0), *out);
  }

  void visit_flatten(const Node* node, const std::string& op) {
    const UnitFeed& in = required(node->input(0), op);
    // squeeze: [batch, C, 1, 1] -> [batch, C]
    if (op != "aten::flatten") return set(node->output(0), flattened(in));
    std::optional<std::int64_t> start;
    if (node->inputs().size() >= 2) start = constant_int(node->input(1));
    if (start && *start == 0) {
      throw ModelError(where(op) +
                       " flattens the batch dimension (start_dim 0); expected torch.flatten(x, 1)");
    }
    // flatten(x, 2) and later keep the channels where they are
    const bool keeps_channels = start && (*start >= 2 || *start == -1 || *start == -2);
    if (keeps_channels) return set(node->output(0), in);
    auto end = node->inputs().size() >= 3 ? constant_int(node->input(2)) : std::optional<std::int64_t>(-1);
    if (start && end && *end == *start) return set(node->output(0), in);  // flatten(x, 1, 1): nothing changes
    if (!flattens_to_the_end(node, end)) {
      throw ModelError(
          where(op) + " flattens dimensions " + (start ? std::to_string(*start) : std::string("?")) + " to " +
          (end ? std::to_string(*end) : std::string("(not a constant)")) + " of " + describe(in) +
          ", not to the last dimension as far as the graph shows (a partial flatten "
          "such as torch.flatten(x, 1, 2) leaves dimensions after it that a Linear would read instead "
          "of the units); expected torch.flatten(x, 1) (end_dim -1), which puts all channels, height "
          "and width into features");
    }
    set(node->output(0), flattened(in));
  }

  /// True when the flatten \p node with end_dim \p end reaches the last dimension of its input.
  static bool flattens_to_the_end(const Node* node, std::optional<std::int64_t> end) {
    if (!end) return false;
    if (*end == -1) return true;
    auto rank = rank_of(node->input(0));
    return rank && *end == *rank - 1;
  }

  void visit_reshape(const Node* node, const std::string& op) {
    const UnitFeed& in = required(node->input(0), op);
    auto count = node->inputs().size() >= 2 ? size_count(node->input(1)) : std::nullopt;
    if (count && *count < 2) {
      throw ModelError(where(op) + " reshapes to " + std::to_string(*count) +
                       " dimension(s), mixing the batch with the units; expected x.view(x.size(0), -1) or a "
                       "shape [batch, channels, ...]");
    }
    if (count && *count >= 3) return set(node->output(0), reshaped_to_image(node, in, op));
    set(node->output(0), flattened(in));  // [batch, -1]
  }

  /// \p in after the view/reshape \p node to [batch, C, ...]: channels again; features are grouped, channel c
  /// holding features c*n .. (c+1)*n - 1 (n = features / C), as the view lays them out.
  UnitFeed reshaped_to_image(const Node* node, const UnitFeed& in, const std::string& op) const {
    UnitFeed out = in;
    out.layout = FeedLayout::channels;
    if (in.model_input || in.layout == FeedLayout::channels) return out;
    const auto slots = static_cast<std::int64_t>(in.slots.size());
    const auto channels = image_channels(node->input(1), slots);
    if (in.layout == FeedLayout::flattened) {
      if (!channels || *channels == slots) return out;  // the same channels back
      throw ModelError(where(op) + " reshapes " + describe(in) + " into " + std::to_string(*channels) +
                       " channels, regrouping the channels' values; expected the same " +
                       std::to_string(slots) + " channels back (x.view(x.size(0), " + std::to_string(slots) +
                       ", height, width))");
    }
    if (!channels || slots % *channels != 0) {
      throw ModelError(
          where(op) + " reshapes " + describe(in) + " into an image whose channel count " +
          (channels ? std::to_string(*channels) + " does not divide them"
                    : std::string("the graph does not show as a constant")) +
          "; expected x.view(x.size(0), C, height, width) with a constant C dividing the features");
    }
    return grouped(in, *channels);
  }

  void visit_concatenate(const Node* node, const std::string& op) {
    auto pack = packs_.find(node->input(0));
    if (pack == packs_.end()) throw unsupported(op);
    std::vector<UnitFeed> parts;
    for (const Value* element : pack->second) {
      const UnitFeed* feed = feed_of(element);
      if (!feed) {
        throw ModelError(where(op) +
                         " concatenates a tensor that does not come from the model input (a constant, "
                         "a parameter or a computed value); expected only outputs of the input and layers");
      }
      parts.push_back(concrete(*feed, where(op)));
    }
    auto dim = node->inputs().size() >= 2 ? constant_int(node->input(1)) : std::nullopt;
    const bool channels = !parts.empty() && parts.front().layout == FeedLayout::channels;
    const bool unit_dim = dim && (*dim == 1 || (channels ? *dim == -3 : *dim == -1));
    if (!unit_dim) {
      throw ModelError(where(op) + " concatenates on dim " +
                       (dim ? std::to_string(*dim) : std::string("(not a constant)")) +
                       "; expected dim 1, the features or channels");
    }
    set(node->output(0), concatenated(parts, where(op)));
  }

  void visit_reduce(const Node* node, const std::string& op) {
    const UnitFeed& reaching = required(node->input(0), op);
    auto dims = node->inputs().size() >= 3 ? constant_ints(node->input(1)) : std::nullopt;
    bool spatial = reaching.layout == FeedLayout::channels && dims && !dims->empty();
    if (dims) {
      for (std::int64_t d : *dims) spatial = spatial && d != 0 && d != 1 && d != -3 && d != -4;
    }
    if (!spatial) {
      throw ModelError(where(op) + " reduces " + describe(reaching) +
                       " over other than their spatial dimensions; expected a reduction over the spatial "
                       "dimensions of a convolution output (global pooling, x.mean([2, 3]))");
    }
    UnitFeed out = reaching;
    if (constant_bool(node->input(2)).value_or(false)) return set(node->output(0), out);  // keepdim: channels
    const auto known_rank = rank_of(node->input(0));
    const std::int64_t rank = known_rank.value_or(4);  // unknown: a Conv2d output, [batch, C, H, W]
    if (!reduces_all_spatial(*dims, rank)) {
      const std::string of =
          known_rank ? std::to_string(rank) + " dimensions"
                     : std::string("[batch, channels, height, width], the graph not showing the rank");
      throw ModelError(
          where(op) + " reduces " + describe(reaching) + " over dims " + dims_text(*dims) + " only (of " +
          of +
          "), without keepdim, so a spatial dimension stays last and a Linear "
          "would read it instead of the channels; expected every spatial dimension reduced (global "
          "pooling, x.mean([2, 3]) on a Conv2d output) or keepdim=True");
    }
    // [batch, C]: features; a pending model input stays pending, flattened (a Linear reads it as C x 1)
    out.layout = out.model_input ? FeedLayout::flattened : FeedLayout::features;
    set(node->output(0), out);
  }

  /// True when \p dims name every dimension after the channels of a tensor of \p rank dimensions.
  static bool reduces_all_spatial(const std::vector<std::int64_t>& dims, std::int64_t rank) {
    for (std::int64_t axis = 2; axis < rank; ++axis) {
      auto names_axis = [&](std::int64_t d) { return (d < 0 ? d + rank : d) == axis; };
      if (std::none_of(dims.begin(), dims.end(), names_axis)) return false;
    }
    return true;
  }

  void visit_unpack(const Node* node, const std::string& op) {
    auto pack = packs_.find(node->input(0));
    if (pack == packs_.end() || pack->second.size() != node->outputs().size()) throw unsupported(op);
    for (std::size_t i = 0; i < node->outputs().size(); ++i) {
      if (const UnitFeed* feed = feed_of(pack->second[i])) set(node->output(i), *feed);
    }
  }

  void visit_index(const Node* node, const std::string& op) {
    auto pack = packs_.find(node->input(0));
    auto index = constant_int(node->input(1));
    if (pack == packs_.end() || !index) throw unsupported(op);
    const auto size = static_cast<std::int64_t>(pack->second.size());
    const std::int64_t at = *index < 0 ? *index + size : *index;
    if (at < 0 || at >= size) throw unsupported(op);
    if (const UnitFeed* feed = feed_of(pack->second[static_cast<std::size_t>(at)]))
      set(node->output(0), *feed);
  }

  void visit_branch(const Node* node, int nesting, bool in_loop) {
    for (const Block* block : node->blocks()) walk(block, nesting + 1, in_loop);
    for (std::size_t i = 0; i < node->outputs().size(); ++i) {
      std::optional<UnitFeed> out;
      for (const Block* block : node->blocks()) {
        const UnitFeed* feed = feed_of(block->outputs()[i]);
        if (feed) out = out ? combine(*out, *feed, where("prim::If")) : *feed;
      }
      if (out) set(node->output(i), *out);
    }
  }

  void visit_loop(const Node* node, int nesting) {
    if (touches_units(node)) {
      throw ModelError(where("prim::Loop") +
                       " carries a tensor of the data path through a loop; expected a forward "
                       "whose layers and the operations between them run once");
    }
    for (const Block* block : node->blocks()) walk(block, nesting + 1, true);
  }

  // --- layers -------------------------------------------------------------------------------------------

  LayerWeight weight_of(const Node* node, const std::string& op) const {
    std::vector<std::string> attributes;
    const Value* value = node->input(1);
    while (value->node()->kind() == c10::prim::GetAttr) {
      attributes.push_back(value->node()->s(c10::attr::name));
      value = value->node()->input(0);
    }
    if (value != self_ || attributes.empty()) {
      throw ModelError(
          where(op) + " has a weight that is not a parameter of the model's modules (it comes from " +
          value->node()->kind().toQualString() + "); expected the weight of a Linear or Conv2d module");
    }
    std::reverse(attributes.begin(), attributes.end());
    torch::jit::Module owner = module_;
    for (std::size_t i = 0; i + 1 < attributes.size(); ++i) {
      c10::IValue attribute = owner.attr(attributes[i]);
      if (!attribute.isModule()) throw ModelError(where(op) + ": '" + attributes[i] + "' is not a module");
      owner = attribute.toModule();
    }
    c10::IValue weight = owner.attr(attributes.back());
    if (!weight.isTensor()) {
      throw ModelError(where(op) + ": the weight '" + module_path(attributes) + "." + attributes.back() +
                       "' is not a tensor");
    }
    return {module_path(attributes), weight.toTensor()};
  }

  /// What a Linear with \p in_features reads, checked.
  UnitFeed linear_input(const UnitFeed& reaching, std::int64_t in_features, const std::string& at) {
    if (reaching.model_input && !input_sized_) size_input(false, in_features);
    UnitFeed input = concrete(reaching, at);
    const auto slots = static_cast<std::int64_t>(input.slots.size());
    const std::string expected = "in_features " + std::to_string(in_features);
    if (input.layout == FeedLayout::channels) {
      throw ModelError(at + " reads an unflattened convolution output (" + describe(input) +
                       "); expected it flattened first (torch.flatten(x, 1) or x.view(x.size(0), -1))");
    }
    if (input.layout == FeedLayout::features && slots != in_features) {
      throw ModelError(at + " has " + expected + " but reads " + describe(input) + "; expected " +
                       std::to_string(in_features) + " features");
    }
    if (input.layout == FeedLayout::flattened && (slots == 0 || in_features % slots != 0)) {
      throw ModelError(at + " has " + expected + " but reads " + describe(input) +
                       "; expected a multiple of the channels (channels * height * width)");
    }
    return input;
  }

  /// What a convolution with \p in_channels reads, checked.
  UnitFeed convolution_input(const UnitFeed& reaching, std::int64_t in_channels, const std::string& at) {
    if (reaching.model_input && !input_sized_ && reaching.layout == FeedLayout::channels) {
      size_input(true, in_channels);
    }
    UnitFeed input = reaching.model_input && !input_sized_ ? reaching : concrete(reaching, at);
    if (input.model_input || input.layout != FeedLayout::channels) {
      throw ModelError(at + " reads " + describe(input) + "; expected " + std::to_string(in_channels) +
                       " channels of an unflattened [batch, channels, height, width] tensor");
    }
    if (static_cast<std::int64_t>(input.slots.size()) != in_channels) {
      throw ModelError(at + " has in_channels " + std::to_string(in_channels) + " but reads " +
                       describe(input) + "; expected " + std::to_string(in_channels) + " channels");
    }
    return input;
  }

  /// The groups of a convolution node; throws for a transposed convolution or a non-constant count.
  std::int64_t groups_of(const Node* node, const std::string& op, const std::string& at) const {
    const bool full = op == "aten::_convolution";  // (input, weight, bias, stride, padding, dilation,
                                                   //  transposed, output_padding, groups, ...)
    if (full) {
      auto transposed = node->inputs().size() > 6 ? constant_bool(node->input(6)) : std::nullopt;
      if (!transposed || *transposed) {
        throw ModelError(at +
                         " is a transposed convolution (ConvTranspose2d) or has no constant `transposed`; "
                         "expected Conv2d");
      }
    }
    const std::size_t input =
        full ? 8 : 6;  // aten::conv2d(input, weight, bias, stride, padding, dilation, groups)
    auto groups = node->inputs().size() > input ? constant_int(node->input(input)) : std::nullopt;
    if (!groups) throw ModelError(at + " has no constant `groups`; expected a Conv2d module's call");
    return *groups;
  }

  void visit_layer(const Node* node, const std::string& op, OpRole role, int nesting) {
    LayerWeight weight = weight_of(node, op);
    const int call = ++calls_[weight.name];
    ExtractedLayer layer;
    layer.name = call == 1 ? weight.name : weight.name + " (call " + std::to_string(call) + ")";
    const std::string at = model_ + ": layer '" + layer.name + "' (" + op + ")";
    if (nesting > 0) {
      throw ModelError(at +
                       " runs inside a conditional (prim::If); expected layers that run on every forward "
                       "pass");
    }
    const UnitFeed* reaching = feed_of(node->input(0));
    if (!reaching) {
      throw ModelError(at +
                       " reads a tensor that does not come from the model input (a constant, a parameter or "
                       "a computed value); expected the input or the output of earlier layers");
    }
    const torch::Tensor& w = weight.tensor;
    if (!w.is_floating_point()) {
      throw ModelError(at + " has a weight of dtype " + std::string(c10::toString(w.scalar_type())) +
                       "; expected floating point (quantised models are not supported)");
    }
    std::vector<graph::Edge> edges;
    UnitFeed output;
    if (role == OpRole::linear) {
      if (w.dim() != 2 || w.size(0) < 1) {
        throw ModelError(at + " has a weight of shape " + shape_text(w.sizes()) +
                         "; expected [out_features, in_features]");
      }
      layer.kind = ExtractedLayerKind::linear;
      layer.in_units = w.size(1);
      layer.out_units = w.size(0);
      UnitFeed input = linear_input(*reaching, layer.in_units, at);
      layer.first_vertex = result_.num_vertices;
      edges = linear_edges(w, input, layer.first_vertex, threshold_);
      output = UnitFeed::fresh(FeedLayout::features, layer.first_vertex, layer.out_units);
    } else {
      if (w.dim() != 4 || w.size(0) < 1) {
        throw ModelError(at + " has a weight of shape " + shape_text(w.sizes()) +
                         "; expected [out_channels, in_channels / groups, height, width] (Conv2d; Conv1d and "
                         "Conv3d are not supported)");
      }
      const std::int64_t groups = groups_of(node, op, at);
      if (groups < 1 || w.size(0) % groups != 0) {
        throw ModelError(at + " has groups " + std::to_string(groups) + " and " + std::to_string(w.size(0)) +
                         " output channels; expected a positive divisor of the output channels");
      }
      layer.kind = ExtractedLayerKind::conv2d;
      layer.in_units = w.size(1) * groups;
      layer.out_units = w.size(0);
      UnitFeed input = convolution_input(*reaching, layer.in_units, at);
      layer.first_vertex = result_.num_vertices;
      edges = convolution_edges(w, groups, input, layer.first_vertex, threshold_);
      output = UnitFeed::fresh(FeedLayout::channels, layer.first_vertex, layer.out_units);
    }
    result_.num_vertices += layer.out_units;
    layer.edges = static_cast<std::int64_t>(edges.size());
    result_.edges.insert(result_.edges.end(), edges.begin(), edges.end());
    result_.layers.push_back(layer);
    set(node->output(0), std::move(output));
    last_layer_ = layer.name;
  }

  const torch::jit::Module& module_;
  const Value* self_;
  double threshold_;
  std::string model_;
  std::unordered_map<const Value*, UnitFeed> feeds_;                   ///< tensors carrying units
  std::unordered_map<const Value*, std::vector<const Value*>> packs_;  ///< lists and tuples: their elements
  std::map<std::string, int> calls_;                                   ///< calls per module path
  bool input_sized_ = false;
  std::string last_layer_;
  ForwardWalk result_;
};

}  // namespace

ForwardWalk walk_forward_graph(const torch::jit::Module& module, const torch::jit::Graph& graph,
                               double threshold, const std::string& model) {
  const auto inputs = graph.inputs();
  if (inputs.size() != 2 || !is_tensor(inputs[1])) {
    throw ModelError(model + ": forward takes " + std::to_string(inputs.empty() ? 0 : inputs.size() - 1) +
                     " argument(s)" + (inputs.size() == 2 ? " of type " + inputs[1]->type()->str() : "") +
                     "; expected one input tensor");
  }
  Walker walker(module, inputs[0], threshold, model);
  walker.start(inputs[1]);
  walker.walk(graph.block(), 0, false);
  return walker.finish();
}

}  // namespace structlab::nn::detail
