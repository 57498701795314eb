#pragma once
// The state one run carries from stage to stage; private to the runner.

#include <torch/torch.h>

#include <chrono>
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
#include "structlab/train/trainer.hpp"

namespace structlab::run::detail {

/// Saved parameter values, for rewinding (lottery ticket).
using WeightSnapshot = std::vector<torch::Tensor>;

/// Everything a run builds up.
struct RunState {
  const spec::RunSpec& spec;
  ProgressSink& progress;
  plugin::PluginRegistry registry;
  plugin::DatasetBundle data;
  std::optional<graph::LayeredGraph> structure;
  std::shared_ptr<nn::MaskedModel> model;
  std::unique_ptr<train::Trainer> trainer;
  std::unique_ptr<archive::RunArchiveWriter> writer;
  std::shared_ptr<plugin::PruningStrategy> pruner;

  WeightSnapshot initial_weights;             // right after initialisation
  std::optional<WeightSnapshot> rewind_weights;  // after training.rewind_epoch of stage 0
  std::int64_t next_stage = 0;                // index of the next stage to archive
  std::int64_t epochs_planned = 0;            // all epochs of the run, for the ETA
  std::int64_t epochs_done = 0;
  double epoch_seconds_total = 0;
  train::Evaluation last_test{};

  RunState(const spec::RunSpec& run, ProgressSink& sink) : spec(run), progress(sink) {}
};

/// Copies of every parameter's values.
WeightSnapshot snapshot_weights(nn::MaskedModel& model);
/// Writes \p snapshot back into the parameters (masks stay as they are).
void restore_weights(nn::MaskedModel& model, const WeightSnapshot& snapshot);

/// Epochs the whole run will train, from the training and pruning specs.
std::int64_t planned_epochs(const spec::RunSpec& run);

/// Trains \p epochs epochs as stage \p stage (history rows and progress included); \p hook runs after each step.
void train_stage(RunState& state, std::int64_t stage, const std::string& label, std::int64_t epochs,
                 const train::StepHook& hook = {});

/// Archives the model as the next stage with \p description.
void archive_stage(RunState& state, const std::string& description);

/// Runs the pruning schedule of the spec (after stage 0), archiving each stage.
void run_pruning_schedule(RunState& state);

/// Graph metrics as name -> value, for archive attributes.
std::map<std::string, double> structure_metrics(const graph::LayeredGraph& graph);

}  // namespace structlab::run::detail
