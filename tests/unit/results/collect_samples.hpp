#pragma once
// Small archives for the collect tests: a run with a given id, spec, seed, status and number of stages.

#include <hdf5.h>

#include <filesystem>
#include <string>

#include "structlab/archive/run_archive.hpp"

namespace structlab::testing {

/// What one sample run holds.
struct SampleRun {
  std::string run_id = "grid-0000000001";  ///< root attribute run_id
  std::string spec = "experiment: grid\nseeds: [1]\nstructure:\n  p: 0.1\n  k: 4\ntraining:\n  lr: 0.01\n";
  std::uint64_t seed = 1;            ///< root attribute seed
  int stages = 2;                    ///< stages 00 .. stages-1
  std::string status = "completed";  ///< completed or failed
  std::string message;               ///< the status message
  double accuracy = 0.5;             ///< test_accuracy of stage 00
};

/// Writes \p run as a complete archive at \p path: a 2-layer 4-vertex structure, a 2x3 layer per stage with
/// half its weights active after stage 00, two epochs of history per stage.
inline void write_sample_run(const std::filesystem::path& path, const SampleRun& run) {
  archive::RunArchiveWriter writer(path);
  archive::RunAttributes attributes;
  attributes.structlab_version = "0.1.0";
  attributes.run_id = run.run_id;
  attributes.spec_hash = run.run_id.substr(run.run_id.rfind('-') + 1);
  attributes.seed = run.seed;
  attributes.start_time = "2026-11-30T12:00:00Z";
  attributes.host = "test";
  attributes.torch_version = "test";
  writer.write_run_attributes(attributes);
  writer.write_spec(run.spec);
  graph::LayeredGraph structure(4, {{0, 2}, {1, 2}, {1, 3}, {0, 3}});
  writer.write_structure(
      structure,
      {{"average_clustering", 0.25}, {"layers", 2.0}, {"layer_width_10", 1.0}, {"layer_width_2", 2.0}});
  for (int index = 0; index < run.stages; ++index) {
    archive::StageRecord stage;
    stage.index = index;
    stage.description = index == 0 ? "trained" : "pruned level " + std::to_string(index);
    archive::LayerRecord layer;
    layer.name = "main_1";
    layer.source_layer = 0;
    layer.target_layer = 1;
    layer.weight = torch::ones({2, 3});
    layer.mask = torch::ones({2, 3}, torch::kBool);
    if (index > 0) layer.mask.index_put_({0}, false);
    stage.layers = {layer};
    stage.structure = index == 0 ? structure : graph::LayeredGraph(4, {{0, 2}, {1, 2}});
    stage.structure_metrics = {{"edges", index == 0 ? 4.0 : 2.0}};
    double active = index == 0 ? 6.0 : 3.0;
    stage.metrics = {{"zz_custom", 1.0},
                     {"density", active / 6.0},
                     {"test_accuracy", run.accuracy - 0.1 * index},
                     {"test_loss", 1.0 + index},
                     {"active_weights", active}};
    writer.write_stage(stage);
    for (std::int64_t epoch = 1; epoch <= 2; ++epoch) {
      writer.append_history(
          {index, epoch, 1.0, 0.5, 1.0, 0.5, 0.01, 0.25, static_cast<std::int64_t>(active)});
    }
  }
  writer.finish(run.status, run.message, "2026-11-30T12:01:00Z");
}

}  // namespace structlab::testing
