#include "structlab/run/evaluate_archive.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>

#include "run/covered_state.hpp"
#include "structlab/archive/run_archive.hpp"
#include "structlab/error.hpp"
#include "structlab/nn/init_generator.hpp"
#include "structlab/plugin/model_kind.hpp"
#include "structlab/plugin/registry.hpp"
#include "structlab/random.hpp"
#include "structlab/spec/loader.hpp"
#include "structlab/spec/training_options.hpp"
#include "structlab/train/trainer.hpp"

namespace structlab::run {
namespace fs = std::filesystem;

namespace {

bool same_value(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

// The archive's /spec as a run spec: it is a one-run spec, planned through a temporary file.
spec::RunSpec archived_run(const fs::path& archive_path, const std::string& spec_yaml,
                           const std::vector<fs::path>& plugin_paths) {
  const fs::path file = fs::temp_directory_path() / fmt::format("structlab-evaluate-{}-{}.yaml", ::getpid(),
                                                                archive_path.stem().string());
  {
    std::ofstream out(file);
    out << spec_yaml;
    if (!out)
      throw ArchiveError(
          fmt::format("archive {}: cannot write its /spec to {}", archive_path.string(), file.string()));
  }
  try {
    spec::ExperimentPlan plan = spec::plan_experiment(file, {}, plugin_paths);
    fs::remove(file);
    if (plan.run_count() != 1) {
      throw ArchiveError(fmt::format("archive {}: /spec describes {} runs, expected one",
                                     archive_path.string(), plan.run_count()));
    }
    return plan.runs.front();
  } catch (const ArchiveError&) {
    throw;
  } catch (const Error& e) {
    std::error_code ignored;
    fs::remove(file, ignored);
    throw ConfigError(fmt::format("archive {}: /spec: {}", archive_path.string(), e.what()));
  }
}

void copy_into(torch::Tensor& target, const torch::Tensor& value, const std::string& what) {
  if (target.sizes() != value.sizes()) {
    throw ArchiveError(fmt::format("{}: archived shape [{}] differs from the model's [{}]", what,
                                   fmt::join(value.sizes(), ", "), fmt::join(target.sizes(), ", ")));
  }
  torch::NoGradGuard no_grad;
  target.copy_(value.to(target.device(), target.scalar_type()));
}

// Writes the archived stage into the model: masked layers by their state names (or, in older archives and for
// layers that are views into a packed tensor, by layer name), every other parameter and buffer from the
// stage's parameters group.
void load_stage(nn::MaskedModel& model, const archive::StageRecord& stage, const std::string& where) {
  auto parameters = model.named_parameters();
  auto buffers = model.named_buffers();
  std::set<std::string> loaded;
  auto find_state = [&](const std::string& name) -> torch::Tensor* {
    if (torch::Tensor* target = parameters.find(name)) return target;
    return buffers.find(name);
  };
  auto assign = [&](const std::string& name, const torch::Tensor& value) {
    torch::Tensor* target = find_state(name);
    if (target == nullptr) {
      throw ArchiveError(fmt::format(
          "{}: the archive has '{}', the rebuilt model has no such parameter or buffer", where, name));
    }
    copy_into(*target, value, where + " " + name);
    loaded.insert(name);
  };
  // by its state name where the rebuilt model has one (an archive of a DAN from before its packed blocks names
  // "main_1.weight"), else into the layer's own tensor
  auto assign_part = [&](const std::string& state_name, torch::Tensor target, const torch::Tensor& value,
                         const std::string& what) {
    if (!state_name.empty() && find_state(state_name) != nullptr) {
      assign(state_name, value);
    } else {
      copy_into(target, value, what);
    }
  };
  const auto refs = model.masked_layers();
  std::vector<nn::MaskedLayerRef> loaded_layers;
  for (const archive::LayerRecord& layer : stage.layers) {
    auto ref = std::find_if(refs.begin(), refs.end(), [&](const auto& r) { return r.name == layer.name; });
    if (ref == refs.end()) {
      throw ArchiveError(
          fmt::format("{}: layer '{}' is not a masked layer of the rebuilt model", where, layer.name));
    }
    const std::string what = where + " layer " + layer.name;
    assign_part(layer.weight_name, ref->weight, layer.weight, what + " weight");
    if (layer.bias.defined()) assign_part(layer.bias_name, ref->bias, layer.bias, what + " bias");
    assign_part(layer.mask_name, ref->mask, layer.mask, what + " mask");
    loaded_layers.push_back(*ref);
  }
  for (const auto& named : {parameters, buffers}) {
    for (const auto& name : detail::names_covered_by_views(named, loaded_layers)) loaded.insert(name);
  }
  for (const auto& [name, value] : stage.parameters) {
    // an archive of a DAN from before its packed blocks keeps other dtypes as "main_1.weight": into the view
    const auto dot = name.rfind('.');
    const auto layer = dot == std::string::npos
                           ? refs.end()
                           : std::find_if(refs.begin(), refs.end(), [&](const auto& r) { return r.name == name.substr(0, dot); });
    const std::string part = dot == std::string::npos ? "" : name.substr(dot + 1);
    if (find_state(name) == nullptr && layer != refs.end() && (part == "weight" || part == "bias" || part == "mask")) {
      torch::Tensor target = part == "weight" ? layer->weight : part == "bias" ? layer->bias : layer->mask;
      if (target.defined()) {
        copy_into(target, value, where + " " + name);
        continue;
      }
    }
    assign(name, value);
  }
  if (stage.parameters.empty()) return;  // an archive from before complete stages: masked layers only
  for (const auto& named : {parameters, buffers}) {
    for (const auto& item : named) {
      if (item.value().defined() && loaded.count(item.key()) == 0) {
        throw ArchiveError(fmt::format("{}: no archived value for the model's '{}'", where, item.key()));
      }
    }
  }
}

}  // namespace

bool StageEvaluation::exact() const {
  return same_value(recorded_loss, recomputed_loss) && same_value(recorded_accuracy, recomputed_accuracy);
}

std::vector<StageEvaluation> evaluate_archive(const fs::path& archive_path, std::optional<std::int64_t> stage,
                                              const std::vector<fs::path>& plugin_paths) {
  const archive::ArchiveSummary summary = archive::read_archive(archive_path);
  if (summary.stages.empty()) {
    throw ArchiveError(
        fmt::format("archive {}: no stages to evaluate (status {})", archive_path.string(),
                    summary.attributes.count("status") ? summary.attributes.at("status") : "?"));
  }
  std::vector<const archive::StageRecord*> chosen;
  for (const auto& record : summary.stages) {
    if (!stage || record.index == *stage) chosen.push_back(&record);
  }
  if (chosen.empty()) {
    throw ArchiveError(fmt::format("archive {}: no stage {:02d}; it has stages {:02d}..{:02d}",
                                   archive_path.string(), *stage, summary.stages.front().index,
                                   summary.stages.back().index));
  }

  std::vector<fs::path> paths = plugin_paths;
  const spec::RunSpec run = archived_run(archive_path, summary.spec_yaml, paths);
  plugin::PluginRegistry registry;
  for (const auto& path : plugin::default_plugin_paths()) registry.add_path(path);
  for (const auto& path : run.plugin_paths) registry.add_path(path);
  for (const auto& path : plugin_paths) registry.add_path(path);
  registry.scan();

  auto dataset = registry.create_dataset(run.dataset.plugin, run.dataset.params);
  const plugin::DatasetBundle data = dataset->load(Rng::derive(run.seed, "data"));
  auto kind = registry.create_model_kind(run.model.plugin, run.model.params);
  plugin::ModelContext context;
  context.structure = run.structure ? &summary.structure : nullptr;
  context.input_shape = data.input_shape;
  context.num_outputs = data.num_outputs;
  context.generator = at::make_generator<at::CPUGeneratorImpl>(Rng::derive(run.seed, "init"));
  std::shared_ptr<nn::MaskedModel> model;
  {
    nn::InitGeneratorGuard guard(context.generator);
    model = registry.keep_library_alive(plugin::PluginKind::model, run.model.plugin, kind->build(context));
  }
  const train::TrainerOptions options = spec::trainer_options(run.training);
  model->to(options.device);
  train::Trainer trainer(*model, data, options, run.seed, run.training.loss == "auto");

  std::vector<StageEvaluation> evaluations;
  for (const archive::StageRecord* record : chosen) {
    load_stage(*model, *record, fmt::format("archive {} stage {:02d}", archive_path.string(), record->index));
    const train::Evaluation test = trainer.evaluate(data.test);
    StageEvaluation evaluation;
    evaluation.stage = record->index;
    const auto metric = [&](const char* name) {
      auto found = record->metrics.find(name);
      return found == record->metrics.end() ? std::nan("") : found->second;
    };
    evaluation.recorded_loss = metric("test_loss");
    evaluation.recorded_accuracy = metric("test_accuracy");
    evaluation.recomputed_loss = test.loss;
    evaluation.recomputed_accuracy = test.accuracy;
    evaluations.push_back(evaluation);
  }
  return evaluations;
}

}  // namespace structlab::run
