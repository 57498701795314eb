#pragma once
/// \file
/// Trainer: mini-batch training and evaluation of a MaskedModel on an in-memory dataset.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "structlab/nn/masked_model.hpp"
#include "structlab/plugin/dataset.hpp"
#include "structlab/spec/experiment.hpp"

namespace structlab::train {

/// Loss and accuracy of a model on one split (accuracy is NaN for regression).
struct Evaluation {
  double loss = 0;      ///< mean loss per sample
  double accuracy = 0;  ///< fraction of correct predictions, NaN for regression
};

/// What one training epoch did.
struct EpochReport {
  double train_loss = 0;      ///< mean training loss
  double train_accuracy = 0;  ///< training accuracy (NaN for regression)
  double learning_rate = 0;   ///< learning rate used
  double seconds = 0;         ///< wall time of the epoch (without evaluation)
};

/// Called after every optimizer step with (step within epoch, steps per epoch); may change masks (gradual pruning).
using StepHook = std::function<void(std::int64_t step, std::int64_t steps_per_epoch)>;

/// Trains a model with the optimizer, loss and batch size of a TrainingSpec.
///
/// The data order of epoch e is a permutation seeded by Rng::derive(seed, "data-order") and e, so two runs with
/// the same seed see the same batches. Masked weights get zero gradient (the mask is applied in forward), so
/// they stay without effect whatever the optimizer does.
class Trainer {
 public:
  /// A trainer for \p model on \p data; throws ConfigError for an unknown optimizer or loss.
  Trainer(nn::MaskedModel& model, const plugin::DatasetBundle& data, const spec::TrainingSpec& training,
          std::uint64_t seed);

  /// Trains one epoch at \p learning_rate; \p epoch_seed_index selects the data order. Throws TrainingError when the
  /// loss becomes NaN or infinite (naming the step).
  EpochReport train_epoch(std::int64_t epoch_seed_index, double learning_rate, const StepHook& after_step = {});
  /// Loss and accuracy on \p split without gradients.
  Evaluation evaluate(const plugin::DataSplit& split);
  /// Forgets optimizer state (momentum, Adam moments), e.g. after pruning or rewinding.
  void reset_optimizer();
  /// Steps per epoch for the training split.
  std::int64_t steps_per_epoch() const;
  /// The loss of the model on training batch \p index of a fixed (seeded) order, graph attached; for pruning
  /// strategies that need gradients.
  torch::Tensor batch_loss(std::int64_t index);

 private:
  torch::Tensor loss_of(const torch::Tensor& output, const torch::Tensor& target) const;
  std::unique_ptr<torch::optim::Optimizer> make_optimizer() const;

  nn::MaskedModel& model_;
  const plugin::DatasetBundle& data_;
  spec::TrainingSpec training_;
  std::uint64_t seed_;
  bool classification_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
};

}  // namespace structlab::train
