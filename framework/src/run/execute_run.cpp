#include "structlab/run/execute_run.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <chrono>
#include <ctime>

#include "core/host_clock.hpp"
#include "run/run_state.hpp"
#include "run/schedule.hpp"
#include "run/stage_recorder.hpp"
#include "structlab/archive/checkpoint.hpp"
#include "structlab/error.hpp"
#include "structlab/graph/archive_metrics.hpp"
#include "structlab/nn/sparse_kernels.hpp"
#include "structlab/nn/init_generator.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/model_kind.hpp"
#include "structlab/random.hpp"
#include "structlab/run/run_lock.hpp"
#include "structlab/run/stop.hpp"
#include "structlab/runtime.hpp"
#include "structlab/spec/training_options.hpp"
#include "structlab/version.hpp"

namespace structlab::run {
namespace detail {
RunState::RunState(const spec::RunSpec& run, ProgressSink& sink) : spec(run), progress(sink) {}
RunState::~RunState() = default;
}  // namespace detail

namespace {

using structlab::detail::utc_now;

using detail::RunState;
namespace fs = std::filesystem;

// The run's lock now names another process: this run must stop and leave the run's files to it.
class RunLockLost : public Error {
 public:
  using Error::Error;
};

// The message of a run that lost its lock to whoever holds it now.
std::string lost_lock_message(const RunLock& lock) {
  return fmt::format("lost its run lock {} to another process ({}): the run was taken over while this process "
                     "did not refresh the lock for {} s (suspended or frozen?); stopped without writing, "
                     "renaming or deleting any of the run's files",
                     lock.path().string(), lock.current_holder().describe(), RunLock::kStaleAfter.count());
}

// Throws RunLockLost when the caller held the run's lock and it is no longer this process's.
void check_lock(const RunEnvironment& environment) {
  if (environment.run_lock && !environment.run_lock->verify()) {
    throw RunLockLost(lost_lock_message(*environment.run_lock));
  }
}

void report(RunState& state, const std::string& stage) {
  ProgressUpdate update;
  update.run_id = state.spec.run_id;
  update.stage = stage;
  state.progress.update(update);
}

archive::PluginUse plugin_use(plugin::PluginRegistry& registry, const std::string& role,
                              plugin::PluginKind kind, const std::string& name) {
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
  // a fixed graph_seed (a structure sample's, or the user's) gives every seed of the sweep the same graph
  const bool fixed_graph = state.spec.graph_seed >= 0;
  const std::uint64_t graph_seed = fixed_graph ? static_cast<std::uint64_t>(state.spec.graph_seed)
                                               : Rng::derive(state.spec.seed, "structure");
  graph::EdgeListGraph edges = generator->generate(graph_seed);
  state.structure = graph::LayeredGraph::from_edge_list(
      edges, graph::parse_orientation(state.spec.orient),
      Rng::derive(fixed_graph ? graph_seed : state.spec.seed, "orientation"));
}

// The run's model kind builds a model, its weights initialised from \p init_seed.
std::shared_ptr<nn::MaskedModel> build_model_from(RunState& state, std::uint64_t init_seed) {
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
  // the run's own generator: runs built at once in other threads never draw from it
  context.generator = at::make_generator<at::CPUGeneratorImpl>(init_seed);
  std::shared_ptr<nn::MaskedModel> model;
  {
    nn::InitGeneratorGuard guard(context.generator);
    model = kind->build(context);
  }
  return state.registry.keep_library_alive(plugin::PluginKind::model, section.plugin, model);
}

void build_model(RunState& state) {
  report(state, "model");
  state.model = build_model_from(state, Rng::derive(state.spec.seed, "init"));
  state.model->to(spec::training_device(state.spec.training));
}

// Fresh initial weights for the lottery-ticket `reinit` control: the model built again from another seed.
detail::FreshInitialisation fresh_initialisation(RunState& state) {
  return [&state](std::uint64_t init_seed) {
    std::shared_ptr<nn::MaskedModel> fresh = build_model_from(state, init_seed);
    const torch::Device device = spec::training_device(state.spec.training);
    std::vector<torch::Tensor> parameters;
    for (const auto& parameter : fresh->parameters()) parameters.push_back(parameter.detach().to(device).clone());
    return parameters;
  };
}

archive::RunAttributes run_attributes(const spec::RunSpec& run) {
  archive::RunAttributes attributes;
  attributes.structlab_version = STRUCTLAB_VERSION;
  attributes.run_id = run.run_id;
  attributes.spec_hash = run.spec_hash;
  attributes.seed = run.seed;
  attributes.start_time = utc_now();
  attributes.host = runtime_info().host;
  attributes.torch_version = torch_version();
  attributes.sparse_kernels_isa = nn::sparse_kernel_isa();
  return attributes;
}

void open_archive(RunState& state, const fs::path& path) {
  state.writer = std::make_unique<archive::RunArchiveWriter>(path);
  archive::RunAttributes attributes = run_attributes(state.spec);
  attributes.plugins.push_back(
      plugin_use(state.registry, "dataset", plugin::PluginKind::dataset, state.spec.dataset.plugin));
  if (state.spec.structure) {
    attributes.plugins.push_back(
        plugin_use(state.registry, "structure", plugin::PluginKind::generator, state.spec.structure->plugin));
  }
  attributes.plugins.push_back(
      plugin_use(state.registry, "model", plugin::PluginKind::model, state.spec.model.plugin));
  if (state.spec.pruning) {
    attributes.plugins.push_back(plugin_use(state.registry, "pruning", plugin::PluginKind::pruner,
                                            state.spec.pruning->strategy.plugin));
    if (!state.spec.pruning->grow.plugin.empty()) {
      attributes.plugins.push_back(plugin_use(state.registry, "growth", plugin::PluginKind::grower,
                                              state.spec.pruning->grow.plugin));
    }
  }
  state.writer->write_run_attributes(attributes);
  state.writer->write_spec(state.spec.canonical_yaml);
  // a model built without a spec structure (an FFN) still has one: the layered graph of its initial masks
  graph::LayeredGraph structure =
      state.structure ? *state.structure : state.model->generate_structure(false, false);
  state.writer->write_structure(structure, graph::archive_metrics(structure, state.spec.archive_metrics));
}

/// The checkpoint of this run, when there is one to resume from. Throws ConfigError (leaving the file) when
/// it belongs to another spec or structlab version.
std::optional<archive::Checkpoint> checkpoint_to_resume(const spec::RunSpec& run, const fs::path& path,
                                                        bool restart) {
  std::error_code error;
  if (!fs::exists(path, error)) return std::nullopt;
  if (restart) {
    fs::remove(path);
    return std::nullopt;
  }
  archive::Checkpoint checkpoint = archive::read_checkpoint(path);
  const archive::CheckpointInfo& info = checkpoint.info;
  if (info.spec_hash != run.spec_hash || info.structlab_version != STRUCTLAB_VERSION) {
    throw ConfigError(
        fmt::format("checkpoint {} was written for spec hash {} by structlab {}; this run has spec hash {} "
                    "and structlab {}, "
                    "so it is not used. Delete it, or run with --force to start the run over",
                    path.string(), info.spec_hash, info.structlab_version, run.spec_hash, STRUCTLAB_VERSION));
  }
  // another LibTorch computes differently: the resumed run would not end as the uninterrupted one
  if (!info.torch_version.empty() && info.torch_version != torch_version()) {
    throw ConfigError(fmt::format("checkpoint {} was written with LibTorch {}; this structlab runs LibTorch {}, "
                                  "so it is not used. Delete it, or run with --force to start the run over",
                                  path.string(), info.torch_version, torch_version()));
  }
  return checkpoint;
}

std::string position_text(const train::Position& position) {
  return fmt::format("stage {}, epoch {}, step {}{}", position.stage, position.epoch, position.step,
                     position.stage_begun ? "" : " (before the stage's start)");
}

void execute(RunState& state, const RunEnvironment& environment) {
  const fs::path checkpoint_path = archive::checkpoint_path_of(environment.archive_path);
  std::optional<archive::Checkpoint> resume =
      checkpoint_to_resume(state.spec, checkpoint_path, environment.restart);

  for (const auto& path : plugin::default_plugin_paths()) state.registry.add_path(path);
  for (const auto& path : environment.plugin_paths) state.registry.add_path(path);
  state.registry.scan();

  load_data(state);
  build_structure(state);
  build_model(state);
  if (resume) {
    state.writer = std::make_unique<archive::RunArchiveWriter>(environment.archive_path, checkpoint_path);
  } else {
    open_archive(state, environment.archive_path);
  }

  const spec::TrainingSpec& training = state.spec.training;
  state.engine = std::make_unique<train::TrainingEngine>(
      *state.model, state.data, spec::trainer_options(training), state.spec.seed, training.loss == "auto");
  std::shared_ptr<plugin::PruningStrategy> pruner;
  std::shared_ptr<plugin::GrowthCriterion> grower;
  if (state.spec.pruning) {
    pruner = state.registry.create_pruner(state.spec.pruning->strategy.plugin,
                                          state.spec.pruning->strategy.params);
    if (!state.spec.pruning->grow.plugin.empty()) {
      grower = state.registry.create_grower(state.spec.pruning->grow.plugin, state.spec.pruning->grow.params);
    }
  }
  state.schedule =
      detail::make_schedule(state.spec, *state.model, pruner, grower, state.engine->steps_per_epoch(),
                            fresh_initialisation(state));
  state.recorder = std::make_unique<detail::StageRecorder>(state.spec, *state.writer, state.progress,
                                                           detail::total_epochs(state.schedule->stages()));
  state.schedule->set_snapshot_writer([recorder = state.recorder.get()](train::TrainingEngine& engine,
                                                                        const std::string& label) {
    recorder->write_snapshot(engine, label);
  });
  state.engine->add_hook(*state.schedule);
  state.engine->add_hook(*state.recorder);
  for (train::TrainingHook* hook : environment.extra_hooks) state.engine->add_hook(*hook);

  train::TrainingEngine& engine = *state.engine;
  engine.set_checkpointer(
      [&state, &engine, &environment, checkpoint_path](const std::string& bytes, train::CheckpointReason reason) {
        check_lock(environment);
        archive::CheckpointInfo info;
        info.structlab_version = STRUCTLAB_VERSION;
        info.run_id = state.spec.run_id;
        info.spec_hash = state.spec.spec_hash;
        info.torch_version = torch_version();
        info.written_at = utc_now();
        info.reason = reason == train::CheckpointReason::interrupted ? "interrupted" : "periodic";
        info.position = position_text(engine.position());
        if (reason == train::CheckpointReason::interrupted) {
          archive::write_checkpoint(*state.writer, checkpoint_path, info, bytes);
          return;
        }
        // a periodic checkpoint that cannot be written (a full disk, a quota) must not fail a good run
        try {
          archive::write_checkpoint(*state.writer, checkpoint_path, info, bytes);
        } catch (const std::exception& e) {
          report(state, std::string("periodic checkpoint skipped: ") + e.what());
        }
      },
      environment.checkpoint_every);
  engine.set_stop_source([lock = environment.run_lock] { return stop_requested() || (lock && !lock->held()); });
  if (resume) {
    report(state, "resuming from " + resume->info.position);
    engine.load_state(resume->state);
  }
  // training steps and pruning scores use training.sparse_kernels; evaluations switch to their own mode
  nn::SparseKernelsScope kernels(state.engine->trainer().options().train_kernels);
  engine.run(state.schedule->stages());
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
    check_lock(environment);
    outcome.status = "completed";
  } catch (const RunLockLost& e) {
    outcome.status = "locked";
    outcome.message = e.what();
  } catch (const RunInterrupted& e) {
    outcome.status = "interrupted";
    outcome.message = std::string(e.what()) + "; run the same command again to resume";
  } catch (const std::exception& e) {
    outcome.status = "failed";
    outcome.message = e.what();
  }
  if (state.engine) {
    outcome.test_accuracy = state.engine->last_test().accuracy;
    outcome.test_loss = state.engine->last_test().loss;
  }
  if (state.model) {
    outcome.active_weights = state.model->active_weight_count();
    outcome.total_weights = state.model->total_weight_count();
  }
  if (outcome.status == "failed" && environment.run_lock && !environment.run_lock->verify()) {
    outcome.status = "locked";
    outcome.message = lost_lock_message(*environment.run_lock) + "; it had failed: " + outcome.message;
  }
  if (outcome.status == "locked") {
    if (state.writer) state.writer->abandon();
  } else if (outcome.status != "interrupted") {
    try {
      if (!state.writer) {
        // the run failed before its archive was opened: record the failure in an archive of its own
        state.writer = std::make_unique<archive::RunArchiveWriter>(environment.archive_path);
        state.writer->write_run_attributes(run_attributes(run));
        state.writer->write_spec(run.canonical_yaml);
      }
      state.writer->finish(outcome.status, outcome.message, utc_now());
      if (outcome.status == "completed") {
        std::error_code ignored;
        fs::remove(archive::checkpoint_path_of(environment.archive_path), ignored);
      }
    } catch (const std::exception& e) {
      outcome.status = "failed";
      outcome.message += (outcome.message.empty() ? "" : "; ") + std::string("archive: ") + e.what();
    }
  }
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

}  // namespace structlab::run
