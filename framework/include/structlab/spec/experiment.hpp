#pragma once
/// \file
/// The typed form of an experiment spec (YAML) and of the single runs it expands to.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "structlab/graph/metrics.hpp"
#include "structlab/params.hpp"
#include "structlab/prune/options.hpp"

namespace structlab::spec {

/// A section that names a plugin and passes it parameters, e.g. `structure: {plugin: watts_strogatz, n: 100}`.
struct PluginSection {
  std::string plugin;     ///< plugin name within its kind
  Params params;          ///< validated against the plugin's declared parameters, defaults filled
  SourceLocation where;   ///< where the section starts
};

/// Learning-rate schedule of a training phase.
struct LrSchedule {
  std::string kind = "none";  ///< none | step | cosine
  std::int64_t step_size = 1; ///< step: epochs between decays
  double gamma = 0.1;         ///< step: decay factor
  double min_lr = 0.0;        ///< cosine: final learning rate
};

/// `training:` — how a model is trained.
struct TrainingSpec {
  std::string optimizer = "sgd";   ///< sgd | adam
  double lr = 0.05;                ///< learning rate
  double momentum = 0.9;           ///< sgd momentum
  double weight_decay = 0.0;       ///< L2 penalty
  bool nesterov = false;           ///< sgd Nesterov momentum
  double beta1 = 0.9;              ///< adam
  double beta2 = 0.999;            ///< adam
  std::int64_t batch_size = 128;   ///< samples per step
  std::int64_t epochs = 3;         ///< epochs of the first (dense) training
  std::string loss = "auto";       ///< auto (by task) | cross_entropy | mse
  LrSchedule lr_schedule;          ///< learning-rate schedule
  std::int64_t threads = 0;        ///< LibTorch threads; 0 = all cores (split between --jobs)
  std::string device = "cpu";      ///< torch device string
  std::string sparse_kernels = "auto";       ///< auto | on | off: masked layers' kernel while training
  std::string eval_sparse_kernels = "auto";  ///< auto | on | off: the same for evaluation and inference
};


/// `pruning.schedule:` — when pruning happens.
struct PruningSchedule {
  std::string kind = "one_shot";     ///< one_shot | iterative | gradual | dynamic | at_init
  std::int64_t finetune_epochs = 0;  ///< one_shot: epochs of fine-tuning afterwards
  std::int64_t levels = 1;           ///< iterative: prune -> retrain rounds
  std::int64_t retrain_epochs = 0;   ///< iterative: epochs per round (0 = training.epochs)
  std::string rewind = "none";       ///< iterative: none | init | epoch
  std::int64_t rewind_epoch = 0;     ///< iterative with rewind: epoch: weights saved after this epoch
  double initial_sparsity = 0.0;     ///< gradual: s_i
  double final_sparsity = 0.9;       ///< gradual: s_f
  std::int64_t start_epoch = 0;      ///< gradual: epoch (0-based, of the gradual stage) whose first step is t0
  std::int64_t end_epoch = 1;        ///< gradual: s_f is reached at the first step of this epoch; the stage trains end_epoch + finetune_epochs
  std::int64_t frequency = 1;        ///< gradual: steps (batches) between mask updates, Δt
  double density = 0.1;              ///< dynamic, at_init: density of the prunable layers from the start
  std::string distribution = "erk";  ///< dynamic: uniform | erdos_renyi | erk | structure (the model's own masks)
  std::int64_t update_every = 100;   ///< dynamic: steps between drop/grow updates, ΔT
  double drop_fraction = 0.3;        ///< dynamic: α, the fraction of a layer's active weights replaced at the first update
  double end_fraction = 0.75;        ///< dynamic: updates stop after this fraction of the training steps (T)
  std::int64_t snapshot_every = 1;   ///< dynamic: epochs between archived mask snapshots (0: none)
};

/// `pruning:` — a strategy plugin, a selection rule and a schedule.
struct PruningSpec {
  PluginSection strategy;      ///< the pruner plugin and its parameters
  prune::SelectionOptions selection;  ///< how much goes per pruning step
  PruningSchedule schedule;    ///< when
  PluginSection grow;          ///< dynamic: the growth criterion plugin (`pruning.grow`); empty plugin otherwise
  /// iterative: lottery-ticket controls trained beside each level (`pruning.controls`: reinit, random_masks)
  std::vector<std::string> controls;
};

/// One concrete run: a grid point and a seed, with everything resolved.
struct RunSpec {
  std::string experiment;                 ///< experiment name
  std::string run_id;                     ///< experiment + "-" + first 10 hex digits of the spec hash
  std::string spec_hash;                  ///< hash of the canonical text without default-valued keys
  std::string canonical_yaml;             ///< the resolved spec, defaults filled, keys sorted
  std::uint64_t seed = 0;                 ///< the run's seed; every random source derives from it
  std::int64_t index = 0;                 ///< position in the run list (for --run-index)
  std::vector<std::pair<std::string, std::string>> grid_point;  ///< key path -> value text, in grid order
  PluginSection dataset;                  ///< dataset plugin
  std::optional<PluginSection> structure; ///< generator plugin; absent for models that need no structure
  std::string orient = "index";           ///< orientation of undirected structures: index | random
  /// `structure.graph_seed`: the seed of the generator and of a random orientation; -1: derived from `seed`
  std::int64_t graph_seed = -1;
  PluginSection model;                    ///< model kind plugin
  TrainingSpec training;                  ///< training
  std::optional<PruningSpec> pruning;     ///< pruning, when the spec has it
  graph::MetricsMode archive_metrics = graph::MetricsMode::sampled;  ///< `archive.metrics`: structure metrics
  std::vector<std::string> plugin_paths;  ///< extra plugin directories from the spec (absolute)
  std::string source_file;                ///< the spec file
};

}  // namespace structlab::spec
