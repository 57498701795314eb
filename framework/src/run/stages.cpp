// Training stages and their archive records.

#include <cmath>
#include <limits>

#include "run/run_state.hpp"
#include "structlab/error.hpp"
#include "structlab/prune/dead_units.hpp"
#include "structlab/train/lr_schedule.hpp"

namespace structlab::run::detail {

WeightSnapshot snapshot_weights(nn::MaskedModel& model) {
  WeightSnapshot snapshot;
  for (const auto& parameter : model.parameters()) snapshot.push_back(parameter.detach().clone());
  return snapshot;
}

void restore_weights(nn::MaskedModel& model, const WeightSnapshot& snapshot) {
  torch::NoGradGuard no_grad;
  auto parameters = model.parameters();
  if (parameters.size() != snapshot.size()) {
    throw ModelError("cannot rewind: the model has " + std::to_string(parameters.size()) +
                     " parameters, the snapshot " + std::to_string(snapshot.size()));
  }
  for (std::size_t i = 0; i < parameters.size(); ++i) parameters[i].copy_(snapshot[i]);
}

std::int64_t planned_epochs(const spec::RunSpec& run) {
  std::int64_t epochs = run.training.epochs;
  if (!run.pruning) return epochs;
  const spec::PruningSchedule& schedule = run.pruning->schedule;
  if (schedule.kind == "one_shot") return epochs + schedule.finetune_epochs;
  if (schedule.kind == "iterative") {
    std::int64_t per_level = schedule.retrain_epochs > 0 ? schedule.retrain_epochs : run.training.epochs;
    return epochs + schedule.levels * per_level;
  }
  if (schedule.kind == "gradual") return epochs + schedule.end_epoch + schedule.finetune_epochs;
  return epochs;
}

namespace {

double density_of(nn::MaskedModel& model) {
  std::int64_t total = model.total_weight_count();
  return total > 0 ? static_cast<double>(model.active_weight_count()) / static_cast<double>(total) : 1.0;
}

std::string stage_label(const std::string& label, std::int64_t stage) {
  char number[8];
  std::snprintf(number, sizeof(number), "%02lld", static_cast<long long>(stage));
  return label + " " + number;
}

}  // namespace

void train_stage(RunState& state, std::int64_t stage, const std::string& label, std::int64_t epochs,
                 const train::StepHook& hook) {
  ProgressUpdate update;
  update.run_id = state.spec.run_id;
  update.stage = stage_label(label, stage);
  update.epochs = epochs;
  update.density = density_of(*state.model);
  state.progress.update(update);
  for (std::int64_t epoch = 0; epoch < epochs; ++epoch) {
    double learning_rate = train::learning_rate_at(state.spec.training, epoch, epochs);
    // every stage/epoch pair gets its own data order, reproducibly
    train::EpochReport report = state.trainer->train_epoch(stage * 100000 + epoch, learning_rate, hook);
    train::Evaluation test = state.trainer->evaluate(state.data.test);
    state.last_test = test;

    archive::HistoryRow row;
    row.stage = stage;
    row.epoch = epoch + 1;
    row.train_loss = report.train_loss;
    row.train_accuracy = report.train_accuracy;
    row.test_loss = test.loss;
    row.test_accuracy = test.accuracy;
    row.learning_rate = learning_rate;
    row.seconds = report.seconds;
    row.active_weights = state.model->active_weight_count();
    state.writer->append_history(row);

    ++state.epochs_done;
    state.epoch_seconds_total += report.seconds;
    update.epoch = epoch + 1;
    update.train_loss = report.train_loss;
    update.test_accuracy = test.accuracy;
    update.test_loss = test.loss;
    update.density = density_of(*state.model);
    update.eta_seconds = state.epoch_seconds_total / static_cast<double>(state.epochs_done) *
                         static_cast<double>(std::max<std::int64_t>(state.epochs_planned - state.epochs_done, 0));
    state.progress.update(update);

    if (stage == 0 && state.spec.pruning && state.spec.pruning->schedule.rewind == "epoch" &&
        state.spec.pruning->schedule.rewind_epoch == epoch + 1) {
      state.rewind_weights = snapshot_weights(*state.model);
    }
  }
  if (epochs == 0) state.last_test = state.trainer->evaluate(state.data.test);
}

void archive_stage(RunState& state, const std::string& description) {
  archive::StageRecord record;
  record.index = state.next_stage++;
  record.description = description;
  for (const auto& ref : state.model->masked_layers()) {
    archive::LayerRecord layer;
    layer.name = ref.name;
    layer.source_layer = ref.source_layer;
    layer.target_layer = ref.target_layer;
    layer.weight = ref.layer->weight.detach().to(torch::kCPU, torch::kFloat32);
    if (ref.layer->bias.defined()) layer.bias = ref.layer->bias.detach().to(torch::kCPU, torch::kFloat32);
    layer.mask = ref.layer->mask().to(torch::kCPU);
    record.layers.push_back(std::move(layer));
  }
  record.structure = state.model->generate_structure(false, false);
  record.structure_metrics = structure_metrics(record.structure);
  record.metrics["test_loss"] = state.last_test.loss;
  record.metrics["test_accuracy"] = state.last_test.accuracy;
  record.metrics["active_weights"] = static_cast<double>(state.model->active_weight_count());
  record.metrics["total_weights"] = static_cast<double>(state.model->total_weight_count());
  record.metrics["density"] = density_of(*state.model);
  record.metrics["parameters"] = static_cast<double>(state.model->parameter_count());
  try {
    prune::DeadUnitReport dead = prune::count_dead_units(*state.model);
    record.metrics["hidden_units"] = static_cast<double>(dead.units());
    record.metrics["dead_units"] = static_cast<double>(dead.dead());
    record.metrics["units_without_inputs"] = static_cast<double>(dead.without_inputs());
    record.metrics["units_without_outputs"] = static_cast<double>(dead.without_outputs());
  } catch (const ModelError&) {
    // a model kind whose masked layers do not form per-layer units (a third-party plugin's choice) gets
    // no dead-unit metrics rather than guessed ones; every built-in model kind has them
  }
  state.writer->write_stage(record);
}

}  // namespace structlab::run::detail
