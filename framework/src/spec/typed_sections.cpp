#include "spec/typed_sections.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/cuda.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/plain_text.hpp"

namespace structlab::spec::detail {
namespace {

// Range checks on one section; each failure is recorded with the key's location and path. A check
// that reads a key which is missing or mistyped is skipped: that key's own problem is recorded already,
// and a second message derived from it would only mislead.
class SectionChecker {
 public:
  SectionChecker(const ResolvedSection& section, Problems& problems)
      : section_(section), problems_(problems) {}

  const Params& params() const { return section_.fixed; }
  /// True when every fixed key is valid and in range.
  bool ok() const { return ok_ && section_.complete(); }

  template <typename Condition>
  void require(const std::string& key, Condition&& condition, const std::string& expectation) {
    bool holds = false;
    try {
      holds = condition();
    } catch (const ConfigError&) {
      ok_ = false;  // Params throws for a key left out because it was invalid
      return;
    }
    if (holds) return;
    ok_ = false;
    SourceLocation where = section_.fixed.location_of(key);
    // a default breaks a range only together with another key (e.g. min_lr vs lr): point at the section
    if (where.to_string().empty()) where = section_.where;
    problems_.add(where, join_path(section_.schema->path, key),
                  fmt::format("{}, got {}", expectation, to_yaml(section_.fixed.value(key))));
  }

  void one_of(const std::string& key, const std::vector<std::string>& allowed) {
    require(
        key,
        [&] {
          const std::string& value = params().get_string(key);
          return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
        },
        fmt::format("expected one of: {}", fmt::join(allowed, ", ")));
  }

  void at_least(const std::string& key, std::int64_t minimum) {
    require(
        key, [&] { return params().get_int(key) >= minimum; },
        fmt::format("expected an integer >= {}", minimum));
  }

  void fraction(const std::string& key) {
    require(
        key, [&] { return params().get_double(key) >= 0.0 && params().get_double(key) <= 1.0; },
        "expected a fraction in [0, 1]");
  }

  void non_negative(const std::string& key) {
    require(
        key, [&] { return std::isfinite(params().get_double(key)) && params().get_double(key) >= 0.0; },
        "expected a finite real >= 0");
  }

  void below_one(const std::string& key) {
    require(
        key, [&] { return params().get_double(key) >= 0.0 && params().get_double(key) < 1.0; },
        "expected a real in [0, 1)");
  }

 private:
  const ResolvedSection& section_;
  Problems& problems_;
  bool ok_ = true;
};

PluginSection plugin_section_of(const ResolvedSection& section) {
  return PluginSection{section.fixed.get_string("plugin"), section.plugin->params, section.where};
}

bool fill_training(const ResolvedSection& training_section, const ResolvedSection& schedule_section,
                   TrainingSpec& training, Problems& problems) {
  SectionChecker check(training_section, problems);
  const Params& p = check.params();
  check.one_of("optimizer", {"sgd", "adam"});
  check.require(
      "lr", [&] { return std::isfinite(p.get_double("lr")) && p.get_double("lr") > 0.0; },
      "expected a real > 0");
  check.below_one("momentum");
  check.non_negative("weight_decay");
  check.require(
      "nesterov", [&] { return !p.get_bool("nesterov") || p.get_double("momentum") > 0.0; },
      "nesterov needs momentum > 0 (training.momentum)");
  check.below_one("beta1");
  check.below_one("beta2");
  check.at_least("batch_size", 1);
  check.at_least("epochs", 0);
  check.one_of("loss", {"auto", "cross_entropy", "mse"});
  check.at_least("threads", 0);
  check.require(
      "device", [&] { return structlab::detail::is_device_text(p.get_string("device")); },
      "expected cpu, cuda or cuda:N");
  check.require(
      "device",
      [&] {
        const std::string& text = p.get_string("device");
        return !structlab::detail::is_device_text(text) || text == "cpu" || torch::cuda::device_count() > 0;
      },
      "this machine has no CUDA device (LibTorch sees none); expected cpu");
  for (const char* key : {"sparse_kernels", "eval_sparse_kernels"}) {
    check.one_of(key, {"auto", "on", "off"});
    check.require(
        key, [&] { return p.get_string(key) != "on" || p.get_string("device") == "cpu"; },
        "the sparse kernels run on the CPU only; expected auto or off with a CUDA device");
  }
  bool lr_valid = p.has("lr") && std::isfinite(p.get_double("lr")) && p.get_double("lr") > 0.0;

  SectionChecker lr_check(schedule_section, problems);
  const Params& s = lr_check.params();
  lr_check.one_of("kind", {"none", "step", "cosine"});
  lr_check.at_least("step_size", 1);
  lr_check.require(
      "gamma", [&] { return s.get_double("gamma") > 0.0 && s.get_double("gamma") <= 1.0; },
      "expected a decay factor in (0, 1]");
  lr_check.non_negative("min_lr");
  if (lr_valid) {
    lr_check.require(
        "min_lr",
        [&] { return s.get_string("kind") != "cosine" || s.get_double("min_lr") <= p.get_double("lr"); },
        "expected at most training.lr (the schedule decays towards it)");
  }
  if (!check.ok() || !lr_check.ok()) return false;

  training.optimizer = p.get_string("optimizer");
  training.lr = p.get_double("lr");
  training.momentum = p.get_double("momentum");
  training.weight_decay = p.get_double("weight_decay");
  training.nesterov = p.get_bool("nesterov");
  training.beta1 = p.get_double("beta1");
  training.beta2 = p.get_double("beta2");
  training.batch_size = p.get_int("batch_size");
  training.epochs = p.get_int("epochs");
  training.loss = p.get_string("loss");
  training.threads = p.get_int("threads");
  training.device = p.get_string("device");
  training.sparse_kernels = p.get_string("sparse_kernels");
  training.eval_sparse_kernels = p.get_string("eval_sparse_kernels");
  training.lr_schedule =
      LrSchedule{s.get_string("kind"), s.get_int("step_size"), s.get_double("gamma"), s.get_double("min_lr")};
  return true;
}

// "N:M" with 1 <= N <= M (at most a million), or nothing.
std::optional<std::pair<std::int64_t, std::int64_t>> n_m_pattern(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size() || colon > 7 ||
      text.size() - colon - 1 > 7)
    return std::nullopt;
  const std::string n = text.substr(0, colon);
  const std::string m = text.substr(colon + 1);
  const auto digits = [](const std::string& part) {
    return std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(n) || !digits(m)) return std::nullopt;
  const std::int64_t keep = std::stoll(n);
  const std::int64_t block = std::stoll(m);
  if (keep < 1 || keep > block || block > 1000000) return std::nullopt;
  return std::make_pair(keep, block);
}

bool fill_selection(const ResolvedSection& section, prune::SelectionOptions& selection, Problems& problems) {
  SectionChecker check(section, problems);
  const Params& p = check.params();
  check.one_of("rule", {"fraction", "count", "density", "n_m"});
  check.one_of("granularity", {"weight", "kernel", "channel"});
  const std::optional<std::pair<std::int64_t, std::int64_t>> pattern =
      p.has("pattern") ? n_m_pattern(p.get_string("pattern")) : std::nullopt;
  check.require("pattern", [&] { return pattern.has_value(); },
                "expected \"N:M\" with whole numbers 1 <= N <= M <= 1000000, e.g. \"2:4\"");
  bool by_count = p.has("rule") && p.get_string("rule") == "count";
  if (by_count) {
    check.require(
        "amount",
        [&] {
          double amount = p.get_double("amount");
          return amount >= 0.0 && std::floor(amount) == amount && amount < 9.0e15;
        },
        "expected a whole number of weights >= 0 for rule count");
  } else {
    check.fraction("amount");
  }
  if (!check.ok()) return false;
  selection = prune::SelectionOptions{prune::parse_selection_rule(p.get_string("rule")),
                                      p.get_double("amount"),
                                      p.get_string_list("exclude_layers"),
                                      p.get_bool("exclude_output"),
                                      pattern->first,
                                      pattern->second,
                                      prune::parse_mask_granularity(p.get_string("granularity"))};
  return true;
}

// `pruning.controls`: each of reinit and random_masks at most once, and only for an iterative schedule.
bool fill_controls(const ResolvedSection& pruning, const ResolvedSection& schedule, std::vector<std::string>& controls,
                   Problems& problems) {
  if (!pruning.fixed.has("controls")) return true;
  const SourceLocation where = pruning.fixed.location_of("controls");
  std::vector<std::string> chosen = pruning.fixed.get_string_list("controls");
  bool ok = true;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (chosen[i] != "reinit" && chosen[i] != "random_masks") {
      problems.add(where, "pruning.controls",
                   fmt::format("unknown control '{}'; expected reinit (the ticket's masks, fresh initial weights) "
                               "or random_masks (random masks of the ticket's per-layer density)",
                               chosen[i]));
      ok = false;
    } else if (std::find(chosen.begin(), chosen.begin() + static_cast<std::ptrdiff_t>(i), chosen[i]) !=
               chosen.begin() + static_cast<std::ptrdiff_t>(i)) {
      problems.add(where, "pruning.controls", fmt::format("'{}' is listed twice", chosen[i]));
      ok = false;
    }
  }
  const bool iterative = schedule.fixed.has("kind") && schedule.fixed.get_string("kind") == "iterative";
  if (!chosen.empty() && !iterative) {
    problems.add(where, "pruning.controls",
                 "lottery-ticket controls go with an iterative schedule (pruning.schedule.kind: iterative)");
    ok = false;
  }
  if (ok) controls = chosen;
  return ok;
}

bool fill_schedule(const ResolvedSection& section, std::optional<std::int64_t> training_epochs,
                   PruningSchedule& schedule, Problems& problems) {
  SectionChecker check(section, problems);
  const Params& p = check.params();
  check.one_of("kind", {"one_shot", "iterative", "gradual", "dynamic", "at_init"});
  check.at_least("finetune_epochs", 0);
  check.at_least("levels", 1);
  check.at_least("retrain_epochs", 0);
  check.one_of("rewind", {"none", "init", "epoch"});
  check.at_least("rewind_epoch", 0);
  check.fraction("initial_sparsity");
  check.fraction("final_sparsity");
  check.require(
      "final_sparsity", [&] { return p.get_double("final_sparsity") >= p.get_double("initial_sparsity"); },
      "expected at least pruning.schedule.initial_sparsity");
  check.at_least("start_epoch", 0);
  // AGP spreads the sparsity over (end - start) epochs: an empty span would divide by zero
  check.require(
      "end_epoch", [&] { return p.get_int("end_epoch") > p.get_int("start_epoch"); },
      "expected more than pruning.schedule.start_epoch");
  check.at_least("frequency", 1);
  check.require(
      "density", [&] { return p.get_double("density") > 0.0 && p.get_double("density") <= 1.0; },
      "expected a density in (0, 1]");
  check.one_of("distribution", {"uniform", "erdos_renyi", "erk", "structure"});
  check.at_least("update_every", 1);
  check.fraction("drop_fraction");
  check.require(
      "end_fraction", [&] { return p.get_double("end_fraction") > 0.0 && p.get_double("end_fraction") <= 1.0; },
      "expected a fraction in (0, 1]");
  check.at_least("snapshot_every", 0);
  // the rewind point is an epoch of the first training: checked only when the training's epochs are valid
  if (training_epochs) {
    std::int64_t epochs = *training_epochs;
    check.require(
        "rewind_epoch",
        [&] { return p.get_string("rewind") != "epoch" || p.get_int("rewind_epoch") <= epochs; },
        fmt::format("expected an epoch of the first training (at most training.epochs = {})", epochs));
  }
  if (!check.ok()) return false;
  schedule = PruningSchedule{p.get_string("kind"),
                             p.get_int("finetune_epochs"),
                             p.get_int("levels"),
                             p.get_int("retrain_epochs"),
                             p.get_string("rewind"),
                             p.get_int("rewind_epoch"),
                             p.get_double("initial_sparsity"),
                             p.get_double("final_sparsity"),
                             p.get_int("start_epoch"),
                             p.get_int("end_epoch"),
                             p.get_int("frequency")};
  schedule.density = p.get_double("density");
  schedule.distribution = p.get_string("distribution");
  schedule.update_every = p.get_int("update_every");
  schedule.drop_fraction = p.get_double("drop_fraction");
  schedule.end_fraction = p.get_double("end_fraction");
  schedule.snapshot_every = p.get_int("snapshot_every");
  return true;
}

const ResolvedSection* find(const ResolvedSections& sections, const std::string& path) {
  auto it = sections.find(path);
  return it == sections.end() ? nullptr : &it->second;
}

}  // namespace

bool fill_typed_sections(const ResolvedSections& sections, RunSpec& run, Problems& problems) {
  bool ok = true;
  // an incomplete section has its problems recorded already; its valid keys are still range-checked
  auto usable_plugin = [&](const ResolvedSection& section) {
    ok &= section.complete();
    return section.complete();
  };
  if (const ResolvedSection* dataset = find(sections, "dataset"); dataset && usable_plugin(*dataset)) {
    run.dataset = plugin_section_of(*dataset);
  }
  if (const ResolvedSection* model = find(sections, "model"); model && usable_plugin(*model)) {
    run.model = plugin_section_of(*model);
  }
  ok &= find(sections, "dataset") != nullptr &&
        find(sections, "model") != nullptr;  // missing ones are recorded

  if (const ResolvedSection* structure = find(sections, "structure")) {
    SectionChecker check(*structure, problems);
    check.one_of("orient", {"index", "random"});
    check.at_least("graph_seed", -1);
    ok &= check.ok();
    if (check.ok()) {
      run.structure = plugin_section_of(*structure);
      run.orient = structure->fixed.get_string("orient");
      run.graph_seed = structure->fixed.get_int("graph_seed");
    }
  }

  const ResolvedSection& training = *find(sections, "training");
  bool training_ok = fill_training(training, *find(sections, "training.lr_schedule"), run.training, problems);
  ok &= training_ok;

  if (const ResolvedSection* pruning = find(sections, "pruning")) {
    PruningSpec spec;
    if (usable_plugin(*pruning)) spec.strategy = plugin_section_of(*pruning);
    ok &= fill_selection(*find(sections, "pruning.selection"), spec.selection, problems);
    std::optional<std::int64_t> epochs;
    if (training.fixed.has("epochs") && training.fixed.get_int("epochs") >= 0)
      epochs = training.fixed.get_int("epochs");
    const ResolvedSection& schedule = *find(sections, "pruning.schedule");
    ok &= fill_schedule(schedule, epochs, spec.schedule, problems);
    const ResolvedSection* grow = find(sections, "pruning.grow");
    if (grow && usable_plugin(*grow)) spec.grow = plugin_section_of(*grow);
    const bool dynamic = schedule.fixed.has("kind") && schedule.fixed.get_string("kind") == "dynamic";
    if (dynamic && !grow) {
      problems.add(schedule.where, "pruning.grow",
                   "a dynamic schedule needs a growth criterion: pruning.grow: {plugin: gradient} (RigL) or "
                   "{plugin: random} (SET)");
      ok = false;
    } else if (!dynamic && grow) {
      problems.add(grow->where, "pruning.grow", "only a dynamic schedule (pruning.schedule.kind: dynamic) grows");
      ok = false;
    }
    ok &= fill_controls(*pruning, schedule, spec.controls, problems);
    run.pruning = spec;
  }

  SectionChecker archive(*find(sections, "archive"), problems);
  archive.one_of("metrics", {"full", "sampled", "none"});
  ok &= archive.ok();
  if (archive.ok()) run.archive_metrics = graph::parse_metrics_mode(archive.params().get_string("metrics"));
  return ok;
}

}  // namespace structlab::spec::detail
