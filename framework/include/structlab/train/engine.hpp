#pragma once
/// \file
/// TrainingEngine: the one loop over a run's stages, epochs and steps, with hooks, a stop request and
/// checkpoints of everything it needs to go on.

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "structlab/nn/masked_model.hpp"
#include "structlab/plugin/dataset.hpp"
#include "structlab/random.hpp"
#include "structlab/train/hooks.hpp"
#include "structlab/train/trainer.hpp"

namespace structlab::train {

/// Where training is: a point between two steps. Saved in checkpoints.
struct Position {
  std::int64_t stage = 0;    ///< the stage being trained
  bool stage_begun = false;  ///< whether the stage's stage_begin hooks have run
  std::int64_t epoch = 0;    ///< epochs of the stage completed
  std::int64_t step = 0;     ///< steps of the current epoch completed
};

/// One stage of a run: a number of epochs trained after the stage's begin actions.
struct StagePlan {
  std::string label;         ///< short name for progress lines, e.g. "train", "level"
  std::int64_t epochs = 0;   ///< epochs to train (0 = evaluate only)
  std::string description;   ///< what the stage is, for the archive
  std::string series;        ///< the curve it belongs to ("ticket", "reinit", "random_masks"), or empty
};

/// Why the engine asks for a checkpoint.
enum class CheckpointReason {
  periodic,     ///< the checkpoint interval passed
  interrupted,  ///< a stop was requested; the engine throws RunInterrupted right after
};

/// Called with the engine's serialized state when a checkpoint is due; writes it durably.
using Checkpointer = std::function<void(const std::string& state, CheckpointReason reason)>;

/// Trains a model through a list of stages, calling hooks at every point of the loop.
///
/// Randomness: the data order comes from the seed and the (stage, epoch); the engine also owns an Rng and a
/// torch generator (CPU) for hooks, seeded from the run's seed. All of it, the model's parameters and buffers,
/// the optimizer state, the position and the partial epoch's sums are in save_state(), so load_state() on a
/// freshly built engine continues bit for bit.
class TrainingEngine {
 public:
  /// An engine training \p model on \p data; see Trainer for \p options, \p seed and \p loss_by_task.
  TrainingEngine(nn::MaskedModel& model, const plugin::DatasetBundle& data, const TrainerOptions& options,
                 std::uint64_t seed, bool loss_by_task = false);

  /// Adds a hook (not owned; it must outlive the engine's run()). Hooks run in the order added.
  void add_hook(TrainingHook& hook);
  /// Sets where checkpoints go and how often a periodic one is due (zero: only on a stop request).
  void set_checkpointer(Checkpointer checkpointer, std::chrono::steady_clock::duration every);
  /// Also stops when \p stop_source returns true (checked at every step boundary), e.g. a signal flag.
  void set_stop_source(std::function<bool()> stop_source);

  /// Trains \p stages from position() to the end. When a stop is requested it saves a checkpoint at the next
  /// step boundary and throws RunInterrupted; run() again after load_state() goes on from there. Throws
  /// TrainingError when the loss becomes non-finite (naming stage, epoch and step).
  void run(const std::vector<StagePlan>& stages);

  /// Asks the engine to stop at the next step boundary.
  void request_stop() { stop_requested_ = true; }

  /// The model being trained.
  nn::MaskedModel& model() { return model_; }
  /// Optimizer, loss and batches.
  Trainer& trainer() { return trainer_; }
  /// The current optimizer (replaced by trainer().reset_optimizer()).
  torch::optim::Optimizer& optimizer() { return trainer_.optimizer(); }
  /// The run's generator for hooks (portable sampling).
  Rng& rng() { return rng_; }
  /// The run's torch generator for hooks (CPU); never torch's process-wide one.
  at::Generator& generator() { return generator_; }
  /// Where training is.
  const Position& position() const { return position_; }
  /// The plan of the stage being trained (valid inside and after run()).
  const StagePlan& stage() const { return stages_.at(static_cast<std::size_t>(position_.stage)); }
  /// Training steps per epoch.
  std::int64_t steps_per_epoch() const { return trainer_.steps_per_epoch(); }
  /// Steps of the current stage completed before the step in progress (epoch * steps_per_epoch() + step).
  std::int64_t stage_step() const { return position_.epoch * steps_per_epoch() + position_.step; }
  /// The batch of the step in progress, on the run's device (valid from before_step to after_step).
  const Batch& batch() const { return batch_; }
  /// The loss of the step in progress (valid in after_backward and after_step).
  const torch::Tensor& step_loss() const { return step_loss_; }
  /// The most recent test evaluation (after an epoch, or at the end of a stage without epochs).
  const Evaluation& last_test() const { return last_test_; }
  /// The dataset.
  const plugin::DatasetBundle& data() const { return data_; }

  /// Everything needed to go on, serialized (model, optimizer, generators, position, partial epoch, hooks).
  std::string save_state();
  /// Restores save_state()'s output into this engine (built the same way, hooks added in the same order).
  /// Throws ConfigError when the state does not fit the model or the hooks.
  void load_state(const std::string& state);

 private:
  void train_stage();
  void train_epoch();
  void boundary();

  nn::MaskedModel& model_;
  const plugin::DatasetBundle& data_;
  Trainer trainer_;
  Rng rng_;
  at::Generator generator_;
  std::vector<TrainingHook*> hooks_;
  std::vector<StagePlan> stages_;
  Position position_;
  // sums of the epoch in progress, so an epoch resumed mid-way reports what an uninterrupted one would
  double epoch_loss_sum_ = 0;
  std::int64_t epoch_correct_ = 0;
  double epoch_seconds_ = 0;
  Evaluation last_test_{};
  torch::Tensor step_loss_;
  Batch batch_;
  Checkpointer checkpointer_;
  std::chrono::steady_clock::duration checkpoint_every_{0};
  std::chrono::steady_clock::time_point last_checkpoint_;
  std::function<bool()> stop_source_;
  bool stop_requested_ = false;
};

}  // namespace structlab::train
