#pragma once
// Sample run records for the archive tests: small, but with every field filled and values that would expose
// a lost bit (random floats, sparse masks, NaN accuracies, a stage index past 99).

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "structlab/archive/run_archive.hpp"

namespace structlab::testing {

/// A 2-3-1 layered graph with one skip edge.
inline graph::LayeredGraph sample_graph() {
  return graph::LayeredGraph(6, {{0, 2}, {0, 3}, {1, 3}, {1, 4}, {2, 5}, {3, 5}, {4, 5}, {0, 5}});
}

/// Root attributes with two plugins.
inline archive::RunAttributes sample_attributes() {
  archive::RunAttributes attributes;
  attributes.structlab_version = "0.1.0";
  attributes.run_id = "ws-fashion-1a2b3c4d";
  attributes.spec_hash = "1a2b3c4d5e6f";
  attributes.seed = 18446744073709551557ULL;  // beyond int64: the seed is unsigned
  attributes.start_time = "2024-05-01T12:00:00Z";
  attributes.host = "node17";
  attributes.torch_version = "1.13.0";
  attributes.sparse_kernels_isa = "avx2";
  attributes.plugins = {{"structure", "newman_watts_strogatz", "1.0.0", "/lib/structlab/plugins/libnws.so"},
                        {"model", "dan", "1.2.0", "/lib/structlab/plugins/libdan.so"}};
  return attributes;
}

/// One layer with random weights, a random mask of about \p density and, when \p with_bias, a bias.
inline archive::LayerRecord sample_layer(const std::string& name, std::int64_t out, std::int64_t in,
                                         double density, bool with_bias, std::uint64_t seed) {
  torch::Generator generator = at::detail::createCPUGenerator(seed);
  archive::LayerRecord layer;
  layer.name = name;
  layer.source_layer = -1;
  layer.target_layer = 1;
  layer.weight = at::randn({out, in}, generator, torch::kFloat32);
  layer.mask = at::rand({out, in}, generator) < density;
  if (with_bias) layer.bias = at::randn({out}, generator, torch::kFloat32);
  return layer;
}

/// A stage with three layers (the middle one without bias) and metrics, including a NaN.
inline archive::StageRecord sample_stage(std::int64_t index) {
  archive::StageRecord stage;
  stage.index = index;
  stage.description =
      index == 0 ? "trained" : "pruned level " + std::to_string(index) + " (magnitude_global)";
  std::uint64_t seed = 100 + static_cast<std::uint64_t>(index);
  stage.layers = {sample_layer("zeta_first", 3, 2, 0.7, true, seed),
                  sample_layer("alpha", 1, 3, 0.5, false, seed + 1),
                  sample_layer("skip", 1, 2, 1.0, true, seed + 2)};
  stage.layers[1].source_layer = 1;
  stage.layers[1].target_layer = 2;
  stage.structure = graph::LayeredGraph(6, {{0, 2}, {1, 3}, {2, 5}, {3, 5}});
  stage.structure_metrics = {{"density", 0.25 + index}, {"mean_path_length", 2.0 / 3.0}};
  stage.metrics = {{"test_accuracy", 0.8125 - 0.01 * index},
                   {"test_loss", 0.4375},
                   {"density", 0.3},
                   {"r_squared", std::nan("")}};
  return stage;
}

/// History row \p epoch of \p stage; accuracies are NaN on odd epochs, as for a regression.
inline archive::HistoryRow sample_row(std::int64_t stage, std::int64_t epoch) {
  double accuracy = epoch % 2 == 1 ? std::nan("") : 0.5 + 0.01 * static_cast<double>(epoch);
  return {stage,     epoch,    1.0 / static_cast<double>(epoch + 2), accuracy,
          0.75,      accuracy, 0.05 * std::pow(0.5, epoch),          0.123456789,
          40 - epoch};
}

/// Writes a complete archive at \p path: attributes, spec, structure, stages 0, 1 and 100, six history rows.
inline void write_sample_archive(const std::filesystem::path& path, const std::string& status = "completed") {
  archive::RunArchiveWriter writer(path);
  writer.write_run_attributes(sample_attributes());
  writer.write_spec("experiment: ws-fashion\nseeds: [1]\n");
  writer.write_structure(sample_graph(), {{"num_layers", 3.0}, {"clustering", 0.1}});
  for (std::int64_t stage : {0, 1, 100}) writer.write_stage(sample_stage(stage));
  for (std::int64_t stage : {0, 1}) {
    for (std::int64_t epoch = 1; epoch <= 3; ++epoch) writer.append_history(sample_row(stage, epoch));
  }
  writer.finish(status, status == "failed" ? "loss became NaN in epoch 2" : "", "2024-05-01T12:03:00Z");
}

/// Writes \p bytes as the whole content of \p path.
inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

}  // namespace structlab::testing
