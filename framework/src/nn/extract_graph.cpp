#include "structlab/nn/extract_graph.hpp"

#include <torch/csrc/jit/passes/inliner.h>
#include <torch/script.h>

#include <cmath>
#include <sstream>
#include <system_error>

#include "nn/forward_walk.hpp"
#include "nn/model_input.hpp"
#include "structlab/error.hpp"

namespace structlab::nn {
namespace {

namespace fs = std::filesystem;

const char* kHowToSave =
    "expected a TorchScript module saved with torch.jit.script(model).save(path) or "
    "torch.jit.trace(model, example).save(path)";

/// The line of a LibTorch error that says what went wrong: the last non-empty one of its message (a
/// TorchScript interpreter error ends its traceback with "RuntimeError: ..."), without the C++ backtrace.
std::string reason_of(const std::exception& error) {
  const auto* torch_error = dynamic_cast<const c10::Error*>(&error);
  std::istringstream text(torch_error ? torch_error->what_without_backtrace() : error.what());
  std::string line, last;
  while (std::getline(text, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  const auto start = last.find_first_not_of(" \t");
  return start == std::string::npos ? std::string("no reason given") : last.substr(start);
}

void check_options(const ExtractOptions& options) {
  if (std::isnan(options.threshold) || options.threshold < 0) {
    throw ConfigError(
        "threshold must be 0 or positive (a weight is an edge when its magnitude is above it), got " +
        std::to_string(options.threshold));
  }
  for (std::int64_t size : options.input_shape) {
    if (size < 1) {
      throw ConfigError(
          "input shape " + detail::shape_text(options.input_shape) +
          " has a non-positive dimension; expected one sample's shape without the batch dimension, "
          "e.g. [1, 28, 28]");
    }
  }
}

torch::jit::Module load_module(const fs::path& model) {
  std::error_code error;
  if (!fs::exists(model, error)) throw DataError(model.string() + ": no such file; " + kHowToSave);
  if (fs::is_directory(model, error)) throw DataError(model.string() + ": is a directory; " + kHowToSave);
  try {
    return torch::jit::load(model.string());
  } catch (const std::exception& e) {
    throw DataError(model.string() + ": not a TorchScript model (" + reason_of(e) + "); " + kHowToSave +
                    ", not a state dict saved with torch.save");
  }
}

/// Runs \p forward once on zeros of shape [1, input_shape...]; throws ModelError with PyTorch's reason when
/// the model refuses it.
void check_accepts(torch::jit::Module& module, const std::vector<std::int64_t>& input_shape,
                   const fs::path& model) {
  std::vector<std::int64_t> shape{1};
  shape.insert(shape.end(), input_shape.begin(), input_shape.end());
  try {
    torch::NoGradGuard no_grad;
    module.forward({torch::zeros(shape)});
  } catch (const std::exception& e) {
    throw ModelError(model.string() + ": the model does not accept an input of shape " +
                     detail::shape_text(shape) + " (input shape " + detail::shape_text(input_shape) +
                     " with a batch of 1): " + reason_of(e) +
                     "; expected the shape of one sample the model was built for, e.g. 1,28,28 for a "
                     "Fashion-MNIST image");
  }
}

}  // namespace

const char* to_string(ExtractedLayerKind kind) {
  switch (kind) {
    case ExtractedLayerKind::linear:
      return "linear";
    case ExtractedLayerKind::conv2d:
      return "conv2d";
  }
  return "?";
}

ExtractedGraph extract_model_graph(const fs::path& model, const ExtractOptions& options) {
  check_options(options);
  torch::jit::Module module = load_module(model);
  module.eval();  // dropout off, batch norm on its running statistics, for the forward pass below
  auto forward = module.find_method("forward");
  if (!forward) throw ModelError(model.string() + ": the module has no forward method; " + kHowToSave);
  if (!options.input_shape.empty()) check_accepts(module, options.input_shape, model);

  // a traced model calls each submodule (prim::CallMethod); inlining puts their operations in one graph
  std::shared_ptr<torch::jit::Graph> graph = forward->graph()->copy();
  torch::jit::Inline(*graph);
  detail::ForwardWalk walk = detail::walk_forward_graph(module, *graph, options.threshold, model.string());
  if (walk.layers.empty()) {
    throw ModelError(model.string() +
                     ": no Linear or Conv2d layer in the model's forward (aten::linear, aten::conv2d or "
                     "aten::_convolution); expected at least one to extract a graph from");
  }

  ExtractedGraph extracted;
  extracted.graph = graph::LayeredGraph(walk.num_vertices, walk.edges);
  extracted.input_units = walk.input_units;
  extracted.input_is_channels = walk.input_is_channels;
  extracted.layers = std::move(walk.layers);
  return extracted;
}

graph::LayeredGraph extract_graph(const fs::path& model, const ExtractOptions& options) {
  return extract_model_graph(model, options).graph;
}

}  // namespace structlab::nn
