// Pruning at initialisation (SNIP: Lee et al. 2019, GraSP: Wang et al. 2020, SynFlow: Tanaka et al. 2020):
// the freshly initialised network is pruned to its target density before the first step, then trained with
// its masks fixed, as in static sparse training.

#include <fmt/format.h>

#include "run/schedule.hpp"
#include "structlab/error.hpp"
#include "structlab/prune/agp.hpp"
#include "structlab/prune/exponential_densities.hpp"
#include "structlab/prune/selection.hpp"
#include "structlab/random.hpp"

namespace structlab::run::detail {
namespace {

/// The active fraction of the weights of the layers \p selection lets the strategy prune (1 when it protects
/// them all). A DAN starts below 1: its structure's missing edges are masked from the start.
double prunable_weight_density(nn::MaskedModel& model, const prune::SelectionOptions& selection) {
  const std::vector<nn::MaskedLayerRef> layers = model.masked_layers();
  const std::vector<bool> excluded = prune::excluded_layers(model, selection);
  std::int64_t active = 0;
  std::int64_t total = 0;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    if (excluded[l]) continue;
    active += layers[l].active_weight_count();
    total += layers[l].total_weight_count();
  }
  return total == 0 ? 1.0 : static_cast<double>(active) / static_cast<double>(total);
}

class AtInitSchedule : public Schedule {
 public:
  AtInitSchedule(const spec::RunSpec& run, std::shared_ptr<plugin::PruningStrategy> pruner)
      : run_(run), pruner_(std::move(pruner)) {
    if (!pruner_) throw ConfigError("pruning: an at_init schedule needs a pruning strategy (pruning.plugin)");
    const std::string& strategy = run_.pruning->strategy.plugin;
    if (pruner_->scope() == plugin::SelectionScope::below_zero) {
      // spec validation refuses this already; kept for callers that build a RunSpec themselves
      throw ConfigError("pruning.schedule.kind: " + prune::threshold_strategy_refusal(strategy, "at_init"));
    }
    rounds_ = pruner_->rounds_at_init();
    if (rounds_ < 1) {
      throw PluginError(fmt::format("pruner plugin '{}' asks for {} rounds of pruning at initialisation; at least "
                                    "1 is needed",
                                    strategy, rounds_));
    }
  }

  std::vector<train::StagePlan> stages() const override {
    const auto& schedule = run_.pruning->schedule;
    return {{"sparse", run_.training.epochs,
             fmt::format("pruned at initialisation to density {} ({}, {} round{}), trained with fixed masks",
                         schedule.density, run_.pruning->strategy.plugin, rounds_, rounds_ == 1 ? "" : "s"),
             ""}};
  }

  /// Before the first step: rounds_ pruning steps to the exponential densities, each on the masked network
  /// the previous one left. A resumed run whose stage had begun keeps the masks of its checkpoint instead.
  void stage_begin(train::TrainingEngine& engine) override {
    if (engine.position().stage != 0) return;
    nn::MaskedModel& model = engine.model();
    const prune::SelectionOptions& selection = run_.pruning->selection;
    // units are all alive at initialisation; weights may not be (a DAN's structure)
    const double start = pruner_->granularity() == plugin::PruningGranularity::unit
                             ? 1.0
                             : prunable_weight_density(model, selection);
    const std::vector<double> densities =
        prune::exponential_densities(start, run_.pruning->schedule.density, rounds_);
    for (std::size_t k = 0; k < densities.size(); ++k) {
      prune::SelectionOptions round = selection;
      round.rule = prune::SelectionRule::density;
      round.amount = densities[k];
      EnginePruningContext context(engine.trainer(), Rng::derive(run_.seed, "at-init-" + std::to_string(k + 1)));
      prune::prune_step(model, *pruner_, context, round);
    }
    model.apply_mask();
    engine.trainer().reset_optimizer();
  }

 private:
  const spec::RunSpec& run_;
  std::shared_ptr<plugin::PruningStrategy> pruner_;
  std::int64_t rounds_ = 1;
};

}  // namespace

std::unique_ptr<Schedule> make_at_init_schedule(const spec::RunSpec& run,
                                                std::shared_ptr<plugin::PruningStrategy> pruner) {
  return std::make_unique<AtInitSchedule>(run, std::move(pruner));
}

}  // namespace structlab::run::detail
