#pragma once
/// \file
/// Training hooks: typed points of the training loop where schedules, pruning, growth and recording act.

#include <cstdint>
#include <string>

namespace torch::serialize {
class InputArchive;
class OutputArchive;
}  // namespace torch::serialize

namespace structlab::train {

class TrainingEngine;

/// What one epoch did, as the engine reports it to epoch_end hooks.
struct EpochResult {
  std::int64_t stage = 0;        ///< the stage
  std::int64_t epoch = 0;        ///< epoch within the stage, from 1
  double train_loss = 0;         ///< mean training loss over the epoch
  double train_accuracy = 0;     ///< training accuracy (NaN for regression)
  double test_loss = 0;          ///< test loss after the epoch
  double test_accuracy = 0;      ///< test accuracy after the epoch (NaN for regression)
  double learning_rate = 0;      ///< learning rate of the epoch
  double seconds = 0;            ///< wall time of the epoch's training steps (resumed epochs: all parts)
};

/// Code that runs at fixed points of the training loop. Every method has an empty default; a hook overrides
/// what it needs. Hooks see everything through the engine: model(), optimizer() (gradients are in the
/// parameters' grad() in after_backward), rng(), generator(), position(). They run in the order added.
///
/// A hook that keeps state across steps saves it in save_state() and restores it in load_state(), so a run
/// resumed from a checkpoint goes on exactly as an uninterrupted one would. A hook may call
/// TrainingEngine::request_stop(); the engine then stops at the next step boundary.
class TrainingHook {
 public:
  virtual ~TrainingHook() = default;
  /// A name unique among the engine's hooks: the key of its state in a checkpoint.
  virtual std::string name() const = 0;
  /// Once per stage, before its first step (pruning and rewinding happen here). Not repeated on resume.
  virtual void stage_begin(TrainingEngine& /*engine*/) {}
  /// Before each step's forward pass.
  virtual void before_step(TrainingEngine& /*engine*/) {}
  /// After backward, before the optimizer step: gradients are in hand.
  virtual void after_backward(TrainingEngine& /*engine*/) {}
  /// After the optimizer step (masks may change here: gradual pruning).
  virtual void after_step(TrainingEngine& /*engine*/) {}
  /// After each epoch's evaluation.
  virtual void epoch_end(TrainingEngine& /*engine*/, const EpochResult& /*result*/) {}
  /// After the last epoch of a stage (archiving happens here).
  virtual void stage_end(TrainingEngine& /*engine*/) {}
  /// Writes the hook's state into \p archive.
  virtual void save_state(torch::serialize::OutputArchive& /*archive*/) const {}
  /// Reads the state save_state() wrote; throws Error subclasses when it does not fit.
  virtual void load_state(torch::serialize::InputArchive& /*archive*/) {}
};

}  // namespace structlab::train
