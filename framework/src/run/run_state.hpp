#pragma once
// The state one run carries from start to archive; private to the runner.

#include <torch/torch.h>

#include <memory>
#include <optional>
#include <vector>

#include "structlab/archive/run_archive.hpp"
#include "structlab/graph/layered_graph.hpp"
#include "structlab/nn/masked_model.hpp"
#include "structlab/plugin/dataset.hpp"
#include "structlab/plugin/pruner.hpp"
#include "structlab/plugin/registry.hpp"
#include "structlab/run/progress.hpp"
#include "structlab/spec/experiment.hpp"
#include "structlab/train/engine.hpp"

namespace structlab::run::detail {

class Schedule;
class StageRecorder;

/// Everything a run builds up.
struct RunState {
  const spec::RunSpec& spec;
  ProgressSink& progress;
  plugin::PluginRegistry registry;
  plugin::DatasetBundle data;
  std::optional<graph::LayeredGraph> structure;
  std::shared_ptr<nn::MaskedModel> model;
  std::unique_ptr<archive::RunArchiveWriter> writer;
  std::unique_ptr<train::TrainingEngine> engine;
  std::unique_ptr<Schedule> schedule;
  std::unique_ptr<StageRecorder> recorder;

  RunState(const spec::RunSpec& run, ProgressSink& sink);
  ~RunState();
};

}  // namespace structlab::run::detail
