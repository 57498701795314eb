// Dynamic sparse training: a network that is sparse from the first step and rewires itself while it learns
// (SET: Mocanu et al. 2018, drop by magnitude and grow at random; RigL: Evci et al. 2020, grow where the
// gradient is largest, with the drop fraction decaying as a cosine).

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "run/schedule.hpp"
#include "structlab/error.hpp"
#include "structlab/prune/gradients.hpp"
#include "structlab/prune/layer_density.hpp"
#include "structlab/prune/selection.hpp"
#include "structlab/random.hpp"

namespace structlab::run::detail {
namespace {

/// What a growth criterion may use during one update: the run's generator and the dense gradient on the
/// current batch, computed once, when first asked for.
class EngineGrowthContext : public plugin::GrowthContext {
 public:
  explicit EngineGrowthContext(train::TrainingEngine& engine) : engine_(engine) {}

  at::Generator& generator() override { return engine_.generator(); }

  const std::vector<torch::Tensor>& dense_gradients() override {
    if (computed_) return gradients_;
    // Inactive weights are exactly zero after apply_mask(), so with every mask opened the model computes the
    // same function, and the gradient at each position is ∂loss/∂(weight ⊙ mask) there, inactive ones included.
    nn::MaskedModel& model = engine_.model();
    model.apply_mask();
    const std::vector<nn::MaskedLayerRef> layers = model.masked_layers();
    std::vector<torch::Tensor> masks;
    for (const auto& layer : layers) {
      masks.push_back(layer.mask.clone());
      layer.set_mask(torch::ones_like(layer.mask));
    }
    auto restore = [&] {
      for (std::size_t l = 0; l < layers.size(); ++l) layers[l].set_mask(masks[l]);
    };
    try {
      const train::Batch& batch = engine_.batch();
      const torch::Tensor loss = engine_.trainer().loss_of(model.forward(batch.inputs), batch.targets);
      gradients_ = prune::weight_gradients(model, loss, false);
    } catch (...) {
      restore();
      throw;
    }
    restore();
    computed_ = true;
    return gradients_;
  }

 private:
  train::TrainingEngine& engine_;
  bool computed_ = false;
  std::vector<torch::Tensor> gradients_;
};

/// The flat indices of the \p count entries of \p scores (CPU double, flat) that come first in \p descending
/// order among those where \p eligible is true; ties go to the lower index.
torch::Tensor first_by_score(const torch::Tensor& scores, const torch::Tensor& eligible, std::int64_t count,
                             bool descending) {
  const double excluded = descending ? -std::numeric_limits<double>::infinity()
                                     : std::numeric_limits<double>::infinity();
  const torch::Tensor ranked = torch::where(eligible, scores, torch::full_like(scores, excluded));
  const auto sorted = ranked.sort(/*stable=*/true, /*dim=*/0, descending);
  return std::get<1>(sorted).slice(0, 0, count);
}

class DynamicSchedule : public Schedule {
 public:
  DynamicSchedule(const spec::RunSpec& run, std::shared_ptr<plugin::PruningStrategy> drop,
                  std::shared_ptr<plugin::GrowthCriterion> grow, std::int64_t steps_per_epoch)
      : run_(run),
        drop_(std::move(drop)),
        grow_(std::move(grow)),
        end_step_(static_cast<std::int64_t>(std::floor(run.pruning->schedule.end_fraction *
                                                        static_cast<double>(run.training.epochs * steps_per_epoch)))) {
    if (!drop_ || !grow_) throw ConfigError("pruning: a dynamic schedule needs a pruner (drop) and a grower (grow)");
    if (drop_->granularity() != plugin::PruningGranularity::weight) {
      throw ConfigError(fmt::format("pruning.plugin: '{}' scores whole units; a dynamic schedule drops single "
                                    "weights (use magnitude_layerwise, magnitude_global, random, taylor or obd)",
                                    run.pruning->strategy.plugin));
    }
  }

  std::vector<train::StagePlan> stages() const override {
    const auto& schedule = run_.pruning->schedule;
    return {{"sparse", run_.training.epochs,
             fmt::format("dynamic sparse training at density {} ({}), drop by {}, grow by {}", schedule.density,
                         schedule.distribution, run_.pruning->strategy.plugin, run_.pruning->grow.plugin),
             ""}};
  }

  /// The sparse start: random masks at each layer's density (or the model's own, for `structure`).
  void stage_begin(train::TrainingEngine& engine) override {
    if (engine.position().stage != 0) return;
    const auto& schedule = run_.pruning->schedule;
    nn::MaskedModel& model = engine.model();
    if (schedule.distribution != "structure") {
      const std::vector<nn::MaskedLayerRef> layers = model.masked_layers();
      const std::vector<bool> excluded = prune::excluded_layers(model, run_.pruning->selection);
      std::vector<std::vector<std::int64_t>> shapes;
      for (std::size_t l = 0; l < layers.size(); ++l) {
        if (!excluded[l]) shapes.push_back(layers[l].fan_shape());
      }
      const std::vector<std::int64_t> counts = prune::layer_active_counts(
          shapes, schedule.density, prune::parse_density_distribution(schedule.distribution));
      std::size_t next = 0;
      for (std::size_t l = 0; l < layers.size(); ++l) {
        if (excluded[l]) continue;
        const std::int64_t size = layers[l].weight.numel();
        const torch::Tensor chosen =
            torch::randperm(size, engine.generator(), torch::kLong).slice(0, 0, counts[next++]);
        torch::Tensor mask = torch::zeros({size}, torch::kBool);
        mask.index_fill_(0, chosen, true);
        layers[l].set_mask(mask.view(layers[l].weight.sizes()));
      }
    }
    model.apply_mask();
    engine.trainer().reset_optimizer();
  }

  /// Every update_every steps before the end step: drop and regrow.
  void after_step(train::TrainingEngine& engine) override {
    if (engine.position().stage != 0) return;
    const std::int64_t step = engine.stage_step() + 1;  // steps done, this one included
    const std::int64_t every = run_.pruning->schedule.update_every;
    if (step % every != 0 || step >= end_step_) return;
    update(engine, step);
  }

  void epoch_end(train::TrainingEngine& engine, const train::EpochResult& result) override {
    const std::int64_t every = run_.pruning->schedule.snapshot_every;
    if (result.stage != 0 || every <= 0 || result.epoch % every != 0 || !snapshot_writer_) return;
    snapshot_writer_(engine, fmt::format("epoch-{:04d}", result.epoch));
  }

 private:
  /// Drops round(f * active) weights of every prunable layer and grows as many, f = α/2 (1 + cos(π t / T)).
  void update(train::TrainingEngine& engine, std::int64_t step) {
    const auto& schedule = run_.pruning->schedule;
    const double fraction = schedule.drop_fraction / 2.0 *
                            (1.0 + std::cos(M_PI * static_cast<double>(step) / static_cast<double>(end_step_)));
    nn::MaskedModel& model = engine.model();
    const std::vector<nn::MaskedLayerRef> layers = model.masked_layers();
    const std::vector<bool> excluded = prune::excluded_layers(model, run_.pruning->selection);
    EnginePruningContext pruning_context(engine.trainer(),
                                         Rng::derive(run_.seed, "dynamic-" + std::to_string(step)));
    const std::vector<torch::Tensor> drop_scores = drop_->score(model, pruning_context);
    EngineGrowthContext growth_context(engine);
    const std::vector<torch::Tensor> grow_scores = grow_->score(model, growth_context);
    if (drop_scores.size() != layers.size() || grow_scores.size() != layers.size()) {
      throw PluginError(fmt::format("dynamic schedule: {} layers, but {} drop and {} grow score tensors",
                                    layers.size(), drop_scores.size(), grow_scores.size()));
    }
    torch::NoGradGuard no_grad;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      if (excluded[l]) continue;
      const nn::MaskedLayerRef& layer = layers[l];
      const torch::Tensor before = layer.mask.to(torch::kCPU).reshape({-1});
      const std::int64_t active = before.sum().item<std::int64_t>();
      const auto count = static_cast<std::int64_t>(std::llround(fraction * static_cast<double>(active)));
      if (count == 0) continue;
      const auto flat_scores = [&](const torch::Tensor& scores, const char* what) {
        if (scores.numel() != layer.weight.numel()) {
          throw PluginError(fmt::format("dynamic schedule: the {} scores of layer {} have {} entries, the layer {}",
                                        what, layer.name, scores.numel(), layer.weight.numel()));
        }
        return scores.detach().to(torch::kCPU, torch::kDouble).reshape({-1});
      };
      torch::Tensor after = before.clone();
      after.index_fill_(0, first_by_score(flat_scores(drop_scores[l], "drop"), before, count, false), false);
      const torch::Tensor grown = torch::zeros_like(before);
      grown.index_fill_(0, first_by_score(flat_scores(grow_scores[l], "grow"), after.logical_not(), count, true),
                        true);
      after.logical_or_(grown);
      if (after.sum().item<std::int64_t>() != active) {
        throw ModelError(fmt::format("dynamic schedule: layer {} went from {} to {} active weights at step {}",
                                     layer.name, active, after.sum().item<std::int64_t>(), step));
      }
      // new connections start at zero; dropped and new positions forget their optimizer state
      const torch::Tensor shape_mask = after.view(layer.weight.sizes());
      const torch::Tensor fresh = grown.logical_and(before.logical_not()).view(layer.weight.sizes());
      layer.weight.masked_fill_(fresh.to(layer.weight.device()), 0.0);
      layer.set_mask(shape_mask);
      layer.apply_mask();
      engine.trainer().reset_optimizer_state(layer.weight, shape_mask.logical_not().logical_or(fresh));
    }
  }

  const spec::RunSpec& run_;
  std::shared_ptr<plugin::PruningStrategy> drop_;
  std::shared_ptr<plugin::GrowthCriterion> grow_;
  std::int64_t end_step_;
};

}  // namespace

std::unique_ptr<Schedule> make_dynamic_schedule(const spec::RunSpec& run, std::shared_ptr<plugin::PruningStrategy> drop,
                                                std::shared_ptr<plugin::GrowthCriterion> grow,
                                                std::int64_t steps_per_epoch) {
  return std::make_unique<DynamicSchedule>(run, std::move(drop), std::move(grow), steps_per_epoch);
}

}  // namespace structlab::run::detail
