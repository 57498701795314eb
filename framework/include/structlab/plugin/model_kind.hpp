#pragma once
/// \file
/// Model kind plugins: build a MaskedModel from the run's structure and the dataset's shapes.

#include <cstdint>
#include <memory>
#include <vector>

#include <ATen/core/Generator.h>

#include "structlab/graph/layered_graph.hpp"
#include "structlab/nn/masked_model.hpp"

namespace structlab::plugin {

/// What the runner hands a model kind.
struct ModelContext {
  const graph::LayeredGraph* structure = nullptr;  ///< the run's structure; null when the spec has none
  std::vector<std::int64_t> input_shape;           ///< one sample's shape, e.g. {1, 28, 28}
  std::int64_t num_outputs = 0;                    ///< classes, or regression targets
  /// The run's own generator for initial weights (CPU), seeded from the run's seed. build() runs inside an
  /// nn::InitGeneratorGuard of it, so structlab's layers draw from it by themselves; draw any other random
  /// initial value from it too (e.g. `tensor.uniform_(a, b, context.generator)`), never from torch's
  /// process-wide generator, which runs in other threads share.
  at::Generator generator;
};

/// A model kind; constructed with its validated Params.
class ModelKind {
 public:
  virtual ~ModelKind() = default;
  /// True when build() needs ModelContext::structure.
  virtual bool needs_structure() const = 0;
  /// A freshly initialised model, its random initial values drawn from ModelContext::generator.
  virtual std::shared_ptr<nn::MaskedModel> build(const ModelContext& context) const = 0;
};

}  // namespace structlab::plugin
