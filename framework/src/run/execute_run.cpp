#include "structlab/run/execute_run.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <limits>

#include "run/run_state.hpp"
#include "structlab/error.hpp"
#include "structlab/graph/layered_graph.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/model_kind.hpp"
#include "structlab/random.hpp"
#include "structlab/runtime.hpp"
#include "structlab/version.hpp"

namespace structlab::run {
namespace {

using detail::RunState;

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

void report(RunState& state, const std::string& stage) {
  ProgressUpdate update;
  update.run_id = state.spec.run_id;
  update.stage = stage;
  state.progress.update(update);
}

archive::PluginUse plugin_use(plugin::PluginRegistry& registry, const std::string& role, plugin::PluginKind kind,
                              const std::string& name) {
  plugin::PluginDescriptor descriptor = registry.describe(kind, name);
  return {role, name, descriptor.version, registry.find(kind, name).library.string()};
}

void load_data(RunState& state) {
  report(state, "loading data");
  const auto& section = state.spec.dataset;
  auto dataset = state.registry.create_dataset(section.plugin, section.params);
  state.data = dataset->load(Rng::derive(state.spec.seed, "data"));
  if (state.data.train.size() == 0) {
    throw DataError("dataset '" + section.plugin + "' returned no training samples");
  }
}

void build_structure(RunState& state) {
  if (!state.spec.structure) return;
  report(state, "structure");
  const auto& section = *state.spec.structure;
  auto generator = state.registry.create_generator(section.plugin, section.params);
  graph::EdgeListGraph edges = generator->generate(Rng::derive(state.spec.seed, "structure"));
  state.structure = graph::LayeredGraph::from_edge_list(edges, graph::parse_orientation(state.spec.orient),
                                                        Rng::derive(state.spec.seed, "orientation"));
}

void build_model(RunState& state) {
  report(state, "model");
  const auto& section = state.spec.model;
  auto kind = state.registry.create_model_kind(section.plugin, section.params);
  if (kind->needs_structure() && !state.structure) {
    throw ConfigError(state.spec.source_file + ": model: plugin '" + section.plugin +
                      "' needs a structure, but the spec has no `structure:` section");
  }
  plugin::ModelContext context;
  context.structure = state.structure ? &*state.structure : nullptr;
  context.input_shape = state.data.input_shape;
  context.num_outputs = state.data.num_outputs;
  // the initial weights are drawn from torch's generator: seed it from the run
  torch::manual_seed(Rng::derive(state.spec.seed, "init"));
  auto model = kind->build(context);
  state.model = state.registry.keep_library_alive(plugin::PluginKind::model, section.plugin, model);
  state.model->to(torch::Device(state.spec.training.device));
  state.initial_weights = detail::snapshot_weights(*state.model);
}

void open_archive(RunState& state, const std::filesystem::path& path) {
  state.writer = std::make_unique<archive::RunArchiveWriter>(path);
  archive::RunAttributes attributes;
  RuntimeInfo info = runtime_info();
  attributes.structlab_version = STRUCTLAB_VERSION;
  attributes.run_id = state.spec.run_id;
  attributes.spec_hash = state.spec.spec_hash;
  attributes.seed = state.spec.seed;
  attributes.start_time = utc_now();
  attributes.host = info.host;
  attributes.torch_version = info.torch_version;
  attributes.plugins.push_back(
      plugin_use(state.registry, "dataset", plugin::PluginKind::dataset, state.spec.dataset.plugin));
  if (state.spec.structure) {
    attributes.plugins.push_back(
        plugin_use(state.registry, "structure", plugin::PluginKind::generator, state.spec.structure->plugin));
  }
  attributes.plugins.push_back(plugin_use(state.registry, "model", plugin::PluginKind::model, state.spec.model.plugin));
  if (state.spec.pruning) {
    attributes.plugins.push_back(
        plugin_use(state.registry, "pruning", plugin::PluginKind::pruner, state.spec.pruning->strategy.plugin));
  }
  state.writer->write_run_attributes(attributes);
  state.writer->write_spec(state.spec.canonical_yaml);
  // a model built without a spec structure (an FFN) still has one: the layered graph of its initial masks
  graph::LayeredGraph structure =
      state.structure ? *state.structure : state.model->generate_structure(false, false);
  state.writer->write_structure(structure, detail::structure_metrics(structure));
}

void execute(RunState& state, const RunEnvironment& environment) {
  for (const auto& path : plugin::default_plugin_paths()) state.registry.add_path(path);
  for (const auto& path : environment.plugin_paths) state.registry.add_path(path);
  state.registry.scan();

  load_data(state);
  build_structure(state);
  build_model(state);
  open_archive(state, environment.archive_path);

  state.trainer = std::make_unique<train::Trainer>(*state.model, state.data, state.spec.training, state.spec.seed);
  state.epochs_planned = detail::planned_epochs(state.spec);
  detail::train_stage(state, 0, "train", state.spec.training.epochs);
  detail::archive_stage(state, "trained");
  if (state.spec.pruning) detail::run_pruning_schedule(state);
}

}  // namespace

RunOutcome execute_run(const spec::RunSpec& run, const RunEnvironment& environment, ProgressSink& progress) {
  auto start = std::chrono::steady_clock::now();
  set_threads(environment.threads);
  RunState state(run, progress);
  RunOutcome outcome;
  outcome.index = run.index;
  outcome.run_id = run.run_id;
  outcome.archive = environment.archive_path;
  try {
    execute(state, environment);
    outcome.status = "completed";
  } catch (const std::exception& e) {
    outcome.status = "failed";
    outcome.message = e.what();
  }
  outcome.test_accuracy = state.last_test.accuracy;
  outcome.test_loss = state.last_test.loss;
  if (state.model) {
    outcome.active_weights = state.model->active_weight_count();
    outcome.total_weights = state.model->total_weight_count();
  }
  try {
    if (!state.writer) {
      // the run failed before its archive was opened: record the failure in an archive of its own
      state.writer = std::make_unique<archive::RunArchiveWriter>(environment.archive_path);
      archive::RunAttributes attributes;
      attributes.structlab_version = STRUCTLAB_VERSION;
      attributes.run_id = run.run_id;
      attributes.spec_hash = run.spec_hash;
      attributes.seed = run.seed;
      attributes.start_time = utc_now();
      attributes.host = runtime_info().host;
      attributes.torch_version = torch_version();
      state.writer->write_run_attributes(attributes);
      state.writer->write_spec(run.canonical_yaml);
    }
    state.writer->finish(outcome.status, outcome.message, utc_now());
  } catch (const std::exception& e) {
    outcome.status = "failed";
    outcome.message += (outcome.message.empty() ? "" : "; ") + std::string("archive: ") + e.what();
  }
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

}  // namespace structlab::run
