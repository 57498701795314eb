#pragma once
/// \file
/// Trainer: the mechanics of one training step and of evaluation for a MaskedModel on an in-memory dataset
/// (optimizer, loss, batches on the run's device). The loop over stages, epochs and steps is TrainingEngine's.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "structlab/nn/masked_model.hpp"
#include "structlab/plugin/dataset.hpp"
#include "structlab/train/options.hpp"

namespace structlab::train {

/// Loss and accuracy of a model on one split (accuracy is NaN for regression).
struct Evaluation {
  double loss = 0;      ///< mean loss per sample
  double accuracy = 0;  ///< fraction of correct predictions, NaN for regression
};

/// One mini-batch, already on the trainer's device.
struct Batch {
  torch::Tensor inputs;   ///< [batch, ...] inputs
  torch::Tensor targets;  ///< class indices or regression targets
};

/// Optimizer, loss and batches for training \p model on \p data.
///
/// The data order of an epoch is a permutation seeded by Rng::derive(seed, "data-order-<index>"), so two runs
/// with the same seed see the same batches. The data stay where the dataset put them (the CPU); each batch is
/// moved to options.device, where the model is.
class Trainer {
 public:
  /// A trainer for \p model on \p data; the loss follows options.loss, or the dataset's task when
  /// \p loss_by_task. Throws ConfigError when batch_size < 1.
  Trainer(nn::MaskedModel& model, const plugin::DatasetBundle& data, const TrainerOptions& options,
          std::uint64_t seed, bool loss_by_task = false);

  /// The options the trainer was built with.
  const TrainerOptions& options() const { return options_; }
  /// True when the loss is cross-entropy (accuracies are computed).
  bool classification() const { return classification_; }
  /// The current optimizer.
  torch::optim::Optimizer& optimizer() { return *optimizer_; }
  /// Forgets optimizer state (momentum, Adam moments), e.g. after pruning or rewinding. The learning rate set
  /// last (by the LR schedule) stays. The optimizer object is replaced: do not keep references to it.
  void reset_optimizer();
  /// Forgets the optimizer state of \p parameter at \p positions only (a bool tensor shaped like it): SGD's
  /// momentum buffer and Adam's moments become zero there, so that pruned weights stay at zero and regrown
  /// ones start fresh. \p parameter may be a view into a parameter (a DAN block's MaskedLayerRef weight): the
  /// state at its place in that parameter's is cleared. Nothing happens for a parameter without state yet.
  void reset_optimizer_state(const torch::Tensor& parameter, const torch::Tensor& positions);
  /// Sets the learning rate of every parameter group.
  void set_learning_rate(double learning_rate);
  /// The shape of one input sample (the dataset's input_shape, without the batch dimension).
  const std::vector<std::int64_t>& input_shape() const { return data_.input_shape; }
  /// Steps per epoch for the training split.
  std::int64_t steps_per_epoch() const;
  /// The permutation of training samples for the epoch with \p epoch_seed_index (int64, on the CPU).
  torch::Tensor epoch_order(std::int64_t epoch_seed_index) const;
  /// Training batch \p step of \p order, on the device.
  Batch batch(const torch::Tensor& order, std::int64_t step) const;
  /// Mean loss of \p output against \p target.
  torch::Tensor loss_of(const torch::Tensor& output, const torch::Tensor& target) const;
  /// Loss and accuracy on \p split without gradients (the model is put back in training mode).
  Evaluation evaluate(const plugin::DataSplit& split);
  /// The loss of the model on training batch \p index of a fixed (seeded) order, graph attached; for pruning
  /// strategies that need gradients.
  torch::Tensor batch_loss(std::int64_t index);

 private:
  std::unique_ptr<torch::optim::Optimizer> make_optimizer() const;

  nn::MaskedModel& model_;
  const plugin::DatasetBundle& data_;
  TrainerOptions options_;
  std::uint64_t seed_;
  bool classification_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
};

}  // namespace structlab::train
