#include "spec/schema.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "structlab/spec/experiment.hpp"

namespace structlab::spec::detail {
namespace {

// Defaults come from the typed structs so that the YAML schema and experiment.hpp cannot disagree.
std::vector<SectionSchema> build_sections() {
  const TrainingSpec training;
  const LrSchedule lr;
  const prune::SelectionOptions selection;
  const PruningSchedule schedule;
  const RunSpec run;
  using PT = ParamType;
  return {
      {"",
       Presence::implicit,
       {required_param("experiment", PT::string, "experiment name, [A-Za-z0-9_.-]+"),
        optional_param("seeds", std::vector<std::int64_t>{1}, "one run per seed"),
        optional_param("plugin_paths", std::vector<std::string>{},
                       "plugin directories, relative to the spec")},
       {"dataset", "structure", "model", "training", "pruning", "archive"},
       std::nullopt,
       false},
      {"dataset",
       Presence::required,
       {required_param("plugin", PT::string, "dataset plugin name")},
       {},
       plugin::PluginKind::dataset,
       false},
      {"structure",
       Presence::optional,
       {required_param("plugin", PT::string, "generator plugin name"),
        optional_param("orient", run.orient, "orientation of undirected structures: index | random"),
        optional_param(
            "graph_seed", std::int64_t{-1},
            "seed the generator (and a random orientation) gets; -1: derived from the run's seed")},
       {"sample"},
       plugin::PluginKind::generator,
       false},
      {"structure.sample",
       Presence::optional,
       {required_param("candidates", PT::integer, "graphs drawn and measured"),
        optional_param("per_bin", std::int64_t{1}, "graphs kept per non-empty bin"),
        optional_param("seed", std::int64_t{0}, "seed of the sample (not of the runs)")},
       {"ranges", "bins", "baseline"},
       std::nullopt,
       false},
      {"structure.sample.ranges", Presence::optional, {}, {}, std::nullopt, true},
      {"structure.sample.baseline", Presence::optional, {}, {}, std::nullopt, true},
      {"structure.sample.bins", Presence::optional, {}, {}, std::nullopt, true},
      {"model",
       Presence::required,
       {required_param("plugin", PT::string, "model kind plugin name")},
       {},
       plugin::PluginKind::model,
       false},
      {"training",
       Presence::implicit,
       {optional_param("optimizer", training.optimizer, "sgd | adam"),
        optional_param("lr", training.lr, "learning rate"),
        optional_param("momentum", training.momentum, "sgd momentum"),
        optional_param("weight_decay", training.weight_decay, "L2 penalty"),
        optional_param("nesterov", training.nesterov, "sgd Nesterov momentum"),
        optional_param("beta1", training.beta1, "adam first-moment decay"),
        optional_param("beta2", training.beta2, "adam second-moment decay"),
        optional_param("batch_size", training.batch_size, "samples per step"),
        optional_param("epochs", training.epochs, "epochs of the first training"),
        optional_param("loss", training.loss, "auto | cross_entropy | mse"),
        optional_param("threads", training.threads, "LibTorch threads, 0 = all cores"),
        optional_param("device", training.device, "cpu | cuda | cuda:N"),
        optional_param("sparse_kernels", training.sparse_kernels,
                       "auto | on | off: masked layers' kernel in training"),
        optional_param("eval_sparse_kernels", training.eval_sparse_kernels,
                       "auto | on | off: masked layers' kernel in evaluation")},
       {"lr_schedule"},
       std::nullopt,
       false},
      {"training.lr_schedule",
       Presence::implicit,
       {optional_param("kind", lr.kind, "none | step | cosine"),
        optional_param("step_size", lr.step_size, "step: epochs between decays"),
        optional_param("gamma", lr.gamma, "step: decay factor"),
        optional_param("min_lr", lr.min_lr, "cosine: final learning rate")},
       {},
       std::nullopt,
       false},
      {"pruning",
       Presence::optional,
       {required_param("plugin", PT::string, "pruner plugin name"),
        optional_param("controls", std::vector<std::string>{},
                       "iterative: lottery-ticket controls trained at every level: reinit, random_masks")},
       {"selection", "schedule", "grow"},
       plugin::PluginKind::pruner,
       false},
      {"pruning.selection",
       Presence::implicit,
       {optional_param("rule", std::string(prune::to_string(selection.rule)),
                       "fraction | count | density | n_m"),
        optional_param("pattern", std::string("2:4"),
                       "n_m: \"N:M\", at most N active of every M consecutive weights"),
        optional_param("amount", selection.amount, "the fraction, count or target density"),
        optional_param("exclude_layers", selection.exclude_layers, "masked layers never pruned"),
        optional_param("exclude_output", selection.exclude_output, "leave the output layer alone"),
        optional_param("granularity", std::string(prune::to_string(selection.granularity)),
                       "weight | kernel | channel: what goes at once, for strategies that score weights")},
       {},
       std::nullopt,
       false},
      {"pruning.schedule",
       Presence::implicit,
       {optional_param("kind", schedule.kind, "one_shot | iterative | gradual | dynamic | at_init"),
        optional_param("finetune_epochs", schedule.finetune_epochs, "one_shot: fine-tuning epochs"),
        optional_param("levels", schedule.levels, "iterative: prune -> retrain rounds"),
        optional_param("retrain_epochs", schedule.retrain_epochs, "iterative: epochs per round"),
        optional_param("rewind", schedule.rewind, "iterative: none | init | epoch"),
        optional_param("rewind_epoch", schedule.rewind_epoch, "iterative: epoch rewound to"),
        optional_param("initial_sparsity", schedule.initial_sparsity, "gradual: s_i"),
        optional_param("final_sparsity", schedule.final_sparsity, "gradual: s_f"),
        optional_param("start_epoch", schedule.start_epoch, "gradual: first epoch"),
        optional_param("end_epoch", schedule.end_epoch, "gradual: last epoch"),
        optional_param("frequency", schedule.frequency, "gradual: steps between mask updates"),
        optional_param("density", schedule.density, "dynamic, at_init: density from the start"),
        optional_param("distribution", schedule.distribution,
                       "dynamic: uniform | erdos_renyi | erk | structure"),
        optional_param("update_every", schedule.update_every, "dynamic: steps between drop/grow updates"),
        optional_param("drop_fraction", schedule.drop_fraction,
                       "dynamic: fraction replaced at the first update"),
        optional_param("end_fraction", schedule.end_fraction,
                       "dynamic: fraction of training steps with updates"),
        optional_param("snapshot_every", schedule.snapshot_every, "dynamic: epochs between mask snapshots")},
       {},
       std::nullopt,
       false},
      {"pruning.grow",
       Presence::optional,
       {required_param("plugin", PT::string, "growth criterion plugin name (dynamic schedules)")},
       {},
       plugin::PluginKind::grower,
       false},
      {"archive",
       Presence::implicit,
       {optional_param("metrics", std::string(graph::to_string(run.archive_metrics)),
                       "structure metrics C and L: full (exact) | sampled (estimated on big graphs) | none")},
       {},
       std::nullopt,
       false},
  };
}

std::string describe_section(const std::string& path) {
  return path.empty() ? "the top level" : "'" + path + "'";
}

}  // namespace

const std::vector<SectionSchema>& spec_sections() {
  static const std::vector<SectionSchema> sections = build_sections();
  return sections;
}

const SectionSchema* find_section(const std::string& path) {
  for (const auto& section : spec_sections()) {
    if (section.path == path) return &section;
  }
  return nullptr;
}

const ParamSpec* find_key(const SectionSchema& section, const std::string& key) {
  auto it = std::find_if(section.keys.begin(), section.keys.end(),
                         [&](const ParamSpec& s) { return s.name == key; });
  return it == section.keys.end() ? nullptr : &*it;
}

std::vector<std::string> allowed_keys(const SectionSchema& section) {
  std::vector<std::string> out;
  for (const auto& key : section.keys) out.push_back(key.name);
  out.insert(out.end(), section.subsections.begin(), section.subsections.end());
  if (section.path.empty()) out.push_back("grid");
  return out;
}

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string parent_of(const std::string& key_path) {
  auto dot = key_path.rfind('.');
  return dot == std::string::npos ? "" : key_path.substr(0, dot);
}

std::string leaf_of(const std::string& key_path) {
  auto dot = key_path.rfind('.');
  return dot == std::string::npos ? key_path : key_path.substr(dot + 1);
}

PathKind classify_path(const std::string& key_path) {
  if (key_path.empty()) return PathKind::unknown;
  if (find_section(key_path) != nullptr) return PathKind::section;
  const SectionSchema* parent = find_section(parent_of(key_path));
  if (parent == nullptr) return PathKind::unknown;
  std::string leaf = leaf_of(key_path);
  if (leaf.empty()) return PathKind::unknown;
  if (find_key(*parent, leaf) != nullptr) return PathKind::fixed_key;
  if (parent->plugin_kind) return PathKind::plugin_param;
  if (parent->free_keys) return PathKind::free_key;
  return PathKind::unknown;
}

std::string explain_bad_path(const std::string& key_path) {
  if (const SectionSchema* section = find_section(key_path)) {
    return fmt::format("{} is a section, not a value; set one of its keys: {}", describe_section(key_path),
                       fmt::join(allowed_keys(*section), ", "));
  }
  // walk down to the deepest section the path reaches, then say what is wrong with the next step
  std::string reached;
  std::string rest = key_path;
  while (true) {
    auto dot = rest.find('.');
    std::string head = rest.substr(0, dot);
    std::string next = join_path(reached, head);
    const SectionSchema* section = find_section(reached);
    if (head.empty()) return "a key path has an empty component";
    if (find_section(next) != nullptr && dot != std::string::npos) {
      reached = next;
      rest = rest.substr(dot + 1);
      continue;
    }
    bool holds_value =
        find_key(*section, head) != nullptr || section->plugin_kind.has_value() || section->free_keys;
    if (holds_value && dot != std::string::npos) {
      return fmt::format("'{}' holds a value, not a section", next);
    }
    if (section->free_keys) return fmt::format("{} holds values, not sections", describe_section(reached));
    return fmt::format("unknown key '{}' in {}; allowed keys: {}", head, describe_section(reached),
                       fmt::join(allowed_keys(*section), ", "));
  }
}

}  // namespace structlab::spec::detail
