#include "structlab/train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <limits>

#include "structlab/error.hpp"
#include "structlab/random.hpp"

namespace structlab::train {
namespace {

torch::Tensor permutation_tensor(std::uint64_t seed, std::int64_t n) {
  Rng rng(seed);
  std::vector<std::int64_t> order = rng.permutation(n);
  return torch::tensor(order, torch::kInt64);
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double learning_rate) {
  for (auto& group : optimizer.param_groups()) {
    auto& options = group.options();
    if (auto* sgd = dynamic_cast<torch::optim::SGDOptions*>(&options)) sgd->lr(learning_rate);
    if (auto* adam = dynamic_cast<torch::optim::AdamOptions*>(&options)) adam->lr(learning_rate);
  }
}

}  // namespace

Trainer::Trainer(nn::MaskedModel& model, const plugin::DatasetBundle& data, const spec::TrainingSpec& training,
                 std::uint64_t seed)
    : model_(model), data_(data), training_(training), seed_(seed) {
  if (training_.loss == "auto") {
    classification_ = data_.task == plugin::Task::classification;
  } else if (training_.loss == "cross_entropy") {
    classification_ = true;
  } else if (training_.loss == "mse") {
    classification_ = false;
  } else {
    throw ConfigError("training.loss: unknown loss '" + training_.loss + "'; expected auto, cross_entropy or mse");
  }
  if (training_.batch_size < 1) throw ConfigError("training.batch_size: expected at least 1");
  optimizer_ = make_optimizer();
}

std::unique_ptr<torch::optim::Optimizer> Trainer::make_optimizer() const {
  if (training_.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(model_.parameters(), torch::optim::SGDOptions(training_.lr)
                                                                       .momentum(training_.momentum)
                                                                       .weight_decay(training_.weight_decay)
                                                                       .nesterov(training_.nesterov));
  }
  if (training_.optimizer == "adam") {
    return std::make_unique<torch::optim::Adam>(
        model_.parameters(), torch::optim::AdamOptions(training_.lr)
                                 .betas({training_.beta1, training_.beta2})
                                 .weight_decay(training_.weight_decay));
  }
  throw ConfigError("training.optimizer: unknown optimizer '" + training_.optimizer + "'; expected sgd or adam");
}

void Trainer::reset_optimizer() { optimizer_ = make_optimizer(); }

std::int64_t Trainer::steps_per_epoch() const {
  std::int64_t n = data_.train.size();
  return (n + training_.batch_size - 1) / training_.batch_size;
}

torch::Tensor Trainer::loss_of(const torch::Tensor& output, const torch::Tensor& target) const {
  if (classification_) return torch::nn::functional::cross_entropy(output, target);
  return torch::mse_loss(output, target.reshape(output.sizes()).to(output.dtype()));
}

EpochReport Trainer::train_epoch(std::int64_t epoch_seed_index, double learning_rate, const StepHook& after_step) {
  auto start = std::chrono::steady_clock::now();
  model_.train();
  set_learning_rate(*optimizer_, learning_rate);
  const std::int64_t n = data_.train.size();
  torch::Tensor order =
      permutation_tensor(Rng::derive(seed_, "data-order-" + std::to_string(epoch_seed_index)), n);
  double loss_sum = 0;
  std::int64_t correct = 0;
  const std::int64_t steps = steps_per_epoch();
  for (std::int64_t step = 0; step < steps; ++step) {
    std::int64_t begin = step * training_.batch_size;
    std::int64_t end = std::min(n, begin + training_.batch_size);
    torch::Tensor index = order.slice(0, begin, end);
    torch::Tensor inputs = data_.train.inputs.index_select(0, index);
    torch::Tensor targets = data_.train.targets.index_select(0, index);
    optimizer_->zero_grad();
    torch::Tensor output = model_.forward(inputs);
    torch::Tensor loss = loss_of(output, targets);
    double loss_value = loss.item<double>();
    if (!std::isfinite(loss_value)) {
      throw TrainingError("training diverged: loss is " + std::to_string(loss_value) + " at step " +
                          std::to_string(step + 1) + " of " + std::to_string(steps) +
                          " (try a smaller training.lr)");
    }
    loss.backward();
    optimizer_->step();
    loss_sum += loss_value * static_cast<double>(end - begin);
    if (classification_) correct += output.argmax(1).eq(targets).sum().item<std::int64_t>();
    if (after_step) after_step(step, steps);
  }
  EpochReport report;
  report.train_loss = n > 0 ? loss_sum / static_cast<double>(n) : 0.0;
  report.train_accuracy = classification_ && n > 0 ? static_cast<double>(correct) / static_cast<double>(n)
                                                   : std::numeric_limits<double>::quiet_NaN();
  report.learning_rate = learning_rate;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

Evaluation Trainer::evaluate(const plugin::DataSplit& split) {
  torch::NoGradGuard no_grad;
  model_.eval();
  const std::int64_t n = split.size();
  const std::int64_t batch = std::max<std::int64_t>(training_.batch_size, 1024);
  double loss_sum = 0;
  std::int64_t correct = 0;
  for (std::int64_t begin = 0; begin < n; begin += batch) {
    std::int64_t end = std::min(n, begin + batch);
    torch::Tensor inputs = split.inputs.slice(0, begin, end);
    torch::Tensor targets = split.targets.slice(0, begin, end);
    torch::Tensor output = model_.forward(inputs);
    loss_sum += loss_of(output, targets).item<double>() * static_cast<double>(end - begin);
    if (classification_) correct += output.argmax(1).eq(targets).sum().item<std::int64_t>();
  }
  model_.train();
  Evaluation evaluation;
  evaluation.loss = n > 0 ? loss_sum / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
  evaluation.accuracy = classification_ && n > 0 ? static_cast<double>(correct) / static_cast<double>(n)
                                                 : std::numeric_limits<double>::quiet_NaN();
  return evaluation;
}

torch::Tensor Trainer::batch_loss(std::int64_t index) {
  const std::int64_t n = data_.train.size();
  torch::Tensor order = permutation_tensor(Rng::derive(seed_, "pruning-batches"), n);
  std::int64_t begin = (index % std::max<std::int64_t>(steps_per_epoch(), 1)) * training_.batch_size;
  std::int64_t end = std::min(n, begin + training_.batch_size);
  torch::Tensor rows = order.slice(0, begin, end);
  torch::Tensor output = model_.forward(data_.train.inputs.index_select(0, rows));
  return loss_of(output, data_.train.targets.index_select(0, rows));
}

}  // namespace structlab::train
