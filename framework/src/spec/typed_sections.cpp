#include "spec/typed_sections.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <regex>

namespace structlab::spec::detail {
namespace {

// Range checks on one section; each failure is recorded with the key's location and path.
class SectionChecker {
 public:
  SectionChecker(const ResolvedSection& section, Problems& problems) : section_(section), problems_(problems) {}

  const Params& params() const { return section_.fixed; }
  bool ok() const { return ok_; }

  void require(const std::string& key, bool condition, const std::string& expectation) {
    if (condition) return;
    ok_ = false;
    SourceLocation where = section_.fixed.location_of(key);
    // a default breaks a range only together with another key (e.g. min_lr vs lr): point at the section
    if (where.to_string().empty()) where = section_.where;
    problems_.add(where, join_path(section_.schema->path, key),
                  fmt::format("{}, got {}", expectation, to_yaml(section_.fixed.value(key))));
  }

  void one_of(const std::string& key, const std::vector<std::string>& allowed) {
    const std::string& value = params().get_string(key);
    require(key, std::find(allowed.begin(), allowed.end(), value) != allowed.end(),
            fmt::format("expected one of: {}", fmt::join(allowed, ", ")));
  }

  void at_least(const std::string& key, std::int64_t minimum) {
    require(key, params().get_int(key) >= minimum, fmt::format("expected an integer >= {}", minimum));
  }

  void fraction(const std::string& key) {
    double value = params().get_double(key);
    require(key, value >= 0.0 && value <= 1.0, "expected a fraction in [0, 1]");
  }

  void non_negative(const std::string& key) {
    double value = params().get_double(key);
    require(key, std::isfinite(value) && value >= 0.0, "expected a finite real >= 0");
  }

  void below_one(const std::string& key) {
    double value = params().get_double(key);
    require(key, value >= 0.0 && value < 1.0, "expected a real in [0, 1)");
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
  check.require("lr", std::isfinite(p.get_double("lr")) && p.get_double("lr") > 0.0, "expected a real > 0");
  check.below_one("momentum");
  check.non_negative("weight_decay");
  check.require("nesterov", !p.get_bool("nesterov") || p.get_double("momentum") > 0.0,
                "nesterov needs momentum > 0 (training.momentum)");
  check.below_one("beta1");
  check.below_one("beta2");
  check.at_least("batch_size", 1);
  check.at_least("epochs", 0);
  check.one_of("loss", {"auto", "cross_entropy", "mse"});
  check.at_least("threads", 0);
  static const std::regex device(R"(^(cpu|cuda(:[0-9]+)?)$)");
  check.require("device", std::regex_match(p.get_string("device"), device), "expected cpu, cuda or cuda:N");

  SectionChecker lr_check(schedule_section, problems);
  const Params& s = lr_check.params();
  lr_check.one_of("kind", {"none", "step", "cosine"});
  lr_check.at_least("step_size", 1);
  lr_check.require("gamma", s.get_double("gamma") > 0.0 && s.get_double("gamma") <= 1.0,
                   "expected a decay factor in (0, 1]");
  lr_check.non_negative("min_lr");
  lr_check.require("min_lr", s.get_double("min_lr") <= p.get_double("lr"),
                   "expected at most training.lr (the schedule decays towards it)");
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
  training.lr_schedule = LrSchedule{s.get_string("kind"), s.get_int("step_size"), s.get_double("gamma"),
                                    s.get_double("min_lr")};
  return true;
}

bool fill_selection(const ResolvedSection& section, SelectionSpec& selection, Problems& problems) {
  SectionChecker check(section, problems);
  const Params& p = check.params();
  check.one_of("rule", {"fraction", "count", "density"});
  double amount = p.get_double("amount");
  if (p.get_string("rule") == "count") {
    check.require("amount", amount >= 0.0 && std::floor(amount) == amount && amount < 9.0e15,
                  "expected a whole number of weights >= 0 for rule count");
  } else {
    check.fraction("amount");
  }
  if (!check.ok()) return false;
  selection = SelectionSpec{p.get_string("rule"), amount, p.get_string_list("exclude_layers"),
                            p.get_bool("exclude_output")};
  return true;
}

bool fill_schedule(const ResolvedSection& section, const TrainingSpec& training, PruningSchedule& schedule,
                   Problems& problems) {
  SectionChecker check(section, problems);
  const Params& p = check.params();
  check.one_of("kind", {"one_shot", "iterative", "gradual"});
  check.at_least("finetune_epochs", 0);
  check.at_least("levels", 1);
  check.at_least("retrain_epochs", 0);
  check.one_of("rewind", {"none", "init", "epoch"});
  check.at_least("rewind_epoch", 0);
  check.require("rewind_epoch", p.get_string("rewind") != "epoch" || p.get_int("rewind_epoch") <= training.epochs,
                fmt::format("expected an epoch of the first training (at most training.epochs = {})",
                            training.epochs));
  check.fraction("initial_sparsity");
  check.fraction("final_sparsity");
  check.require("final_sparsity", p.get_double("final_sparsity") >= p.get_double("initial_sparsity"),
                "expected at least pruning.schedule.initial_sparsity");
  check.at_least("start_epoch", 0);
  check.require("end_epoch", p.get_int("end_epoch") >= p.get_int("start_epoch"),
                "expected at least pruning.schedule.start_epoch");
  check.require("end_epoch", p.get_string("kind") != "gradual" || p.get_int("end_epoch") <= training.epochs,
                fmt::format("expected at most training.epochs = {} (gradual pruning happens during training)",
                            training.epochs));
  check.at_least("frequency", 1);
  if (!check.ok()) return false;
  schedule = PruningSchedule{p.get_string("kind"),           p.get_int("finetune_epochs"),
                             p.get_int("levels"),            p.get_int("retrain_epochs"),
                             p.get_string("rewind"),         p.get_int("rewind_epoch"),
                             p.get_double("initial_sparsity"), p.get_double("final_sparsity"),
                             p.get_int("start_epoch"),       p.get_int("end_epoch"),
                             p.get_int("frequency")};
  return true;
}

const ResolvedSection* find(const ResolvedSections& sections, const std::string& path) {
  auto it = sections.find(path);
  return it == sections.end() ? nullptr : &it->second;
}

}  // namespace

bool fill_typed_sections(const ResolvedSections& sections, RunSpec& run, Problems& problems) {
  bool ok = true;
  // a section that is missing or incomplete has its problems recorded already; the others are still checked
  auto usable = [&](const std::string& path) {
    const ResolvedSection* section = find(sections, path);
    bool complete = section != nullptr && section->complete();
    ok &= complete;
    return complete ? section : nullptr;
  };
  if (const ResolvedSection* dataset = usable("dataset")) run.dataset = plugin_section_of(*dataset);
  if (const ResolvedSection* model = usable("model")) run.model = plugin_section_of(*model);
  if (sections.count("structure") > 0) {
    if (const ResolvedSection* structure = usable("structure")) {
      SectionChecker check(*structure, problems);
      check.one_of("orient", {"index", "random"});
      ok &= check.ok();
      run.structure = plugin_section_of(*structure);
      run.orient = structure->fixed.get_string("orient");
    }
  }

  const ResolvedSection* training = usable("training");
  const ResolvedSection* lr_schedule = usable("training.lr_schedule");
  bool training_ok = training != nullptr && lr_schedule != nullptr &&
                     fill_training(*training, *lr_schedule, run.training, problems);
  ok &= training_ok;

  if (sections.count("pruning") > 0) {
    PruningSpec spec;
    if (const ResolvedSection* pruning = usable("pruning")) spec.strategy = plugin_section_of(*pruning);
    if (const ResolvedSection* selection = usable("pruning.selection")) {
      ok &= fill_selection(*selection, spec.selection, problems);
    }
    const ResolvedSection* schedule = usable("pruning.schedule");
    // the schedule's epochs are checked against the training, so only once the training is valid
    if (schedule != nullptr && training_ok) ok &= fill_schedule(*schedule, run.training, spec.schedule, problems);
    run.pruning = spec;
  }
  return ok;
}

}  // namespace structlab::spec::detail
