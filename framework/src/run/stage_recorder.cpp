// StageRecorder: history rows, stage records and progress of a run.

#include "run/stage_recorder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "run/covered_state.hpp"
#include "structlab/error.hpp"
#include "structlab/graph/archive_metrics.hpp"
#include "structlab/prune/dead_units.hpp"

namespace structlab::run::detail {
namespace {

double density_of(nn::MaskedModel& model) {
  const std::int64_t total = model.total_weight_count();
  return total > 0 ? static_cast<double>(model.active_weight_count()) / static_cast<double>(total) : 1.0;
}

// The name under which \p tensor is registered in \p named, found by identity (same tensor object).
std::string name_in(const torch::OrderedDict<std::string, torch::Tensor>& named,
                    const torch::Tensor& tensor) {
  if (!tensor.defined()) return {};
  for (const auto& item : named) {
    if (item.value().unsafeGetTensorImpl() == tensor.unsafeGetTensorImpl()) return item.key();
  }
  return {};
}

void add_dead_unit_metrics(nn::MaskedModel& model, std::map<std::string, double>& metrics) {
  try {
    const prune::DeadUnitReport dead = prune::count_dead_units(model);
    metrics["hidden_units"] = static_cast<double>(dead.units());
    metrics["dead_units"] = static_cast<double>(dead.dead());
    metrics["units_without_inputs"] = static_cast<double>(dead.without_inputs());
    metrics["units_without_outputs"] = static_cast<double>(dead.without_outputs());
  } catch (const ModelError&) {
    // a model kind whose masked layers do not form per-layer units (a third-party plugin's choice) gets
    // no dead-unit metrics rather than guessed ones; every built-in model kind has them
  }
}

}  // namespace

archive::StageRecord stage_record(nn::MaskedModel& model, std::int64_t index, const std::string& description,
                                  const train::Evaluation& test, graph::MetricsMode metrics_mode) {
  archive::StageRecord record;
  record.index = index;
  record.description = description;
  const auto parameters = model.named_parameters();
  const auto buffers = model.named_buffers();
  const auto refs = model.masked_layers();
  // a packed tensor the layers view in full (a DAN's hidden_weight) is archived through the layers; in another
  // dtype than float32 it also goes to parameters/, whole, as any layer's weight would
  std::set<std::string> in_layers;
  for (const auto& name : names_covered_by_views(parameters, refs)) {
    if (parameters[name].scalar_type() == torch::kFloat32) in_layers.insert(name);
  }
  for (const auto& name : names_covered_by_views(buffers, refs)) in_layers.insert(name);
  for (const auto& ref : refs) {
    archive::LayerRecord layer;
    layer.name = ref.name;
    layer.source_layer = ref.source_layer;
    layer.target_layer = ref.target_layer;
    layer.weight = ref.weight.detach().to(torch::kCPU, torch::kFloat32);
    if (ref.bias.defined()) layer.bias = ref.bias.detach().to(torch::kCPU, torch::kFloat32);
    layer.mask = ref.mask.to(torch::kCPU);
    // a layer stored in float32 is archived whole in layers/; any other dtype also goes to parameters/
    if (ref.weight.scalar_type() == torch::kFloat32) {
      layer.weight_name = name_in(parameters, ref.weight);
      layer.bias_name = name_in(parameters, ref.bias);
    }
    layer.mask_name = name_in(buffers, ref.mask);
    for (const std::string* name : {&layer.weight_name, &layer.bias_name, &layer.mask_name}) {
      if (!name->empty()) in_layers.insert(*name);
    }
    record.layers.push_back(std::move(layer));
  }
  for (const auto& named : {parameters, buffers}) {
    for (const auto& item : named) {
      if (in_layers.count(item.key()) == 0 && item.value().defined()) {
        record.parameters[item.key()] = item.value().detach().to(torch::kCPU);
      }
    }
  }
  record.structure = model.generate_structure(false, false);
  record.structure_metrics = graph::archive_metrics(record.structure, metrics_mode);
  record.metrics["test_loss"] = test.loss;
  record.metrics["test_accuracy"] = test.accuracy;
  record.metrics["active_weights"] = static_cast<double>(model.active_weight_count());
  record.metrics["total_weights"] = static_cast<double>(model.total_weight_count());
  record.metrics["density"] = density_of(model);
  record.metrics["parameters"] = static_cast<double>(model.parameter_count());
  add_dead_unit_metrics(model, record.metrics);
  return record;
}

StageRecorder::StageRecorder(const spec::RunSpec& run, archive::RunArchiveWriter& writer,
                             ProgressSink& progress, std::int64_t planned_epochs)
    : run_(run), writer_(writer), progress_(progress), planned_epochs_(planned_epochs) {}

ProgressUpdate StageRecorder::progress_of(train::TrainingEngine& engine) const {
  ProgressUpdate update;
  update.run_id = run_.run_id;
  update.stage = fmt::format("{} {:02d}", engine.stage().label, engine.position().stage);
  update.epochs = engine.stage().epochs;
  update.epoch = engine.position().epoch;
  update.density = density_of(engine.model());
  return update;
}

void StageRecorder::stage_begin(train::TrainingEngine& engine) { progress_.update(progress_of(engine)); }

void StageRecorder::epoch_end(train::TrainingEngine& engine, const train::EpochResult& result) {
  archive::HistoryRow row;
  row.stage = result.stage;
  row.epoch = result.epoch;
  row.train_loss = result.train_loss;
  row.train_accuracy = result.train_accuracy;
  row.test_loss = result.test_loss;
  row.test_accuracy = result.test_accuracy;
  row.learning_rate = result.learning_rate;
  row.seconds = result.seconds;
  row.active_weights = engine.model().active_weight_count();
  writer_.append_history(row);

  ++epochs_done_;
  epoch_seconds_total_ += result.seconds;
  ProgressUpdate update = progress_of(engine);
  update.epoch = result.epoch;
  update.train_loss = result.train_loss;
  update.test_accuracy = result.test_accuracy;
  update.test_loss = result.test_loss;
  update.eta_seconds = epoch_seconds_total_ / static_cast<double>(epochs_done_) *
                       static_cast<double>(std::max<std::int64_t>(planned_epochs_ - epochs_done_, 0));
  progress_.update(update);
}

void StageRecorder::stage_end(train::TrainingEngine& engine) {
  archive::StageRecord record = stage_record(engine.model(), engine.position().stage, engine.stage().description,
                                             engine.last_test(), run_.archive_metrics);
  record.series = engine.stage().series;
  writer_.write_stage(record);
}

void StageRecorder::write_snapshot(train::TrainingEngine& engine, const std::string& label) {
  writer_.write_snapshot(label, stage_record(engine.model(), engine.position().stage,
                                             engine.stage().description + ", " + label, engine.last_test(),
                                             run_.archive_metrics));
}

void StageRecorder::save_state(torch::serialize::OutputArchive& archive) const {
  archive.write("epochs_done", c10::IValue(epochs_done_));
  archive.write("epoch_seconds_total", c10::IValue(epoch_seconds_total_));
}

void StageRecorder::load_state(torch::serialize::InputArchive& archive) {
  c10::IValue value;
  archive.read("epochs_done", value);
  epochs_done_ = value.toInt();
  archive.read("epoch_seconds_total", value);
  epoch_seconds_total_ = value.toDouble();
}

}  // namespace structlab::run::detail
