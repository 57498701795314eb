#pragma once
// Test support for the pruning tests: a MaskedModel built from a list of masked layers with hand-set
// weights, and a PruningContext whose loss the test writes itself.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "structlab/error.hpp"
#include "structlab/nn/masked_model.hpp"
#include "structlab/plugin/pruner.hpp"
#include "structlab/prune/options.hpp"

namespace structlab::testing {

/// One masked layer of a TinyModel.
struct TinyLayer {
  std::string name;         ///< masked layer name
  std::int64_t in = 0;      ///< input width
  std::int64_t out = 0;     ///< output width
  std::int64_t source = 0;  ///< structure layer read (nn::kInputLayer for the input)
  std::int64_t target = 0;  ///< structure layer written (num_structure_layers for the output)
};

/// A DAN-like model: every structure layer is relu(sum of its incoming masked layers), the output is the
/// plain sum. With one layer per target it is an ordinary feed-forward network.
class TinyModel : public nn::MaskedModel {
 public:
  TinyModel(std::vector<TinyLayer> layers, std::int64_t num_structure_layers)
      : specs_(std::move(layers)), num_structure_layers_(num_structure_layers) {
    for (const auto& spec : specs_)
      layers_.push_back(register_module(spec.name, nn::MaskedLinear(spec.in, spec.out)));
  }

  torch::Tensor forward(const torch::Tensor& input) override {
    std::vector<torch::Tensor> activation(static_cast<std::size_t>(num_structure_layers_ + 2));
    activation[0] = input;  // slot s + 1 holds structure layer s; slot 0 the input
    for (std::int64_t target = 0; target <= num_structure_layers_; ++target) {
      torch::Tensor sum;
      for (std::size_t i = 0; i < specs_.size(); ++i) {
        if (specs_[i].target != target) continue;
        torch::Tensor part = layers_[i]->forward(activation[static_cast<std::size_t>(specs_[i].source + 1)]);
        sum = sum.defined() ? sum + part : part;
      }
      if (!sum.defined()) continue;
      activation[static_cast<std::size_t>(target + 1)] =
          target < num_structure_layers_ ? torch::relu(sum) : sum;
    }
    return activation.back();
  }

  std::vector<nn::MaskedLayerRef> masked_layers() override {
    std::vector<nn::MaskedLayerRef> refs;
    for (std::size_t i = 0; i < specs_.size(); ++i) {
      refs.push_back({specs_[i].name, layers_[i], specs_[i].source, specs_[i].target});
    }
    return refs;
  }

  // Pruning never asks for the structure graph; saying so loudly beats returning a wrong one.
  graph::LayeredGraph generate_structure(bool /*include_input*/, bool /*include_output*/) override {
    throw ModelError("TinyModel (pruning tests) has no structure graph");
  }

  std::int64_t num_structure_layers() const override { return num_structure_layers_; }

  /// Layer \p index of masked_layers().
  nn::MaskedLinear& layer(std::size_t index) { return layers_.at(index); }

  /// Sets the weight of layer \p index from row-major values (biases are zeroed).
  void set_weight(std::size_t index, const std::vector<float>& values) {
    torch::NoGradGuard no_grad;
    auto& weight = layers_.at(index)->weight;
    weight.copy_(torch::tensor(values).view(weight.sizes()));
    layers_.at(index)->bias.zero_();
  }

 private:
  std::vector<TinyLayer> specs_;
  std::vector<nn::MaskedLinear> layers_;
  std::int64_t num_structure_layers_;
};

/// A feed-forward TinyModel 2 -> 3 -> 2 -> 1: layers "hidden_0" [3, 2], "hidden_1" [2, 3], "output" [1, 2].
inline std::shared_ptr<TinyModel> make_chain_model() {
  return std::make_shared<TinyModel>(
      std::vector<TinyLayer>{
          {"hidden_0", 2, 3, nn::kInputLayer, 0}, {"hidden_1", 3, 2, 0, 1}, {"output", 2, 1, 1, 2}},
      2);
}

/// A PruningContext whose loss of batch b is loss_of(model, b).
class LambdaContext : public plugin::PruningContext {
 public:
  using LossFunction = std::function<torch::Tensor(nn::MaskedModel&, std::int64_t)>;

  LambdaContext(std::uint64_t seed, std::int64_t batches, LossFunction loss_of,
                std::vector<std::int64_t> input_shape = {})
      : seed_(seed), batches_(batches), loss_of_(std::move(loss_of)), input_shape_(std::move(input_shape)) {}
  std::uint64_t seed() const override { return seed_; }
  std::int64_t num_batches() const override { return batches_; }
  torch::Tensor loss(nn::MaskedModel& model, std::int64_t index) override { return loss_of_(model, index); }
  std::vector<std::int64_t> input_shape() const override { return input_shape_; }

 private:
  std::uint64_t seed_;
  std::int64_t batches_;
  LossFunction loss_of_;
  std::vector<std::int64_t> input_shape_;
};

/// A context for strategies that need no data: no batches, every loss() call is a test failure.
/// \p input_shape is what input_shape() says (data-free strategies such as SynFlow need it).
inline LambdaContext no_data_context(std::uint64_t seed = 1, std::vector<std::int64_t> input_shape = {}) {
  return LambdaContext(
      seed, 0,
      [](nn::MaskedModel&, std::int64_t) -> torch::Tensor { throw Error("this strategy must not ask for a loss"); },
      std::move(input_shape));
}

/// A selection rule \p name ("fraction", "count", "density") with \p amount, other fields at their defaults.
inline prune::SelectionOptions rule(const std::string& name, double amount) {
  prune::SelectionOptions selection;
  selection.rule = prune::parse_selection_rule(name);
  selection.amount = amount;
  return selection;
}

/// The mask of \p layer as a row-major vector of 0/1.
inline std::vector<int> mask_values(const nn::MaskedLinear& layer) {
  torch::Tensor mask = layer->mask().to(torch::kInt).contiguous().view({-1});
  return {mask.data_ptr<int>(), mask.data_ptr<int>() + mask.numel()};
}

}  // namespace structlab::testing
