#include "structlab/train/trainer.hpp"

#include <limits>

#include "nn/packed_view.hpp"
#include "structlab/error.hpp"
#include "structlab/random.hpp"

namespace structlab::train {

Trainer::Trainer(nn::MaskedModel& model, const plugin::DatasetBundle& data, const TrainerOptions& options,
                 std::uint64_t seed, bool loss_by_task)
    : model_(model), data_(data), options_(options), seed_(seed) {
  classification_ =
      loss_by_task ? data_.task == plugin::Task::classification : options_.loss == LossKind::cross_entropy;
  if (options_.batch_size < 1) throw ConfigError("training.batch_size: expected at least 1");
  optimizer_ = make_optimizer();
}

std::unique_ptr<torch::optim::Optimizer> Trainer::make_optimizer() const {
  switch (options_.optimizer) {
    case OptimizerKind::sgd:
      return std::make_unique<torch::optim::SGD>(model_.parameters(), torch::optim::SGDOptions(options_.lr)
                                                                          .momentum(options_.momentum)
                                                                          .weight_decay(options_.weight_decay)
                                                                          .nesterov(options_.nesterov));
    case OptimizerKind::adam:
      return std::make_unique<torch::optim::Adam>(model_.parameters(),
                                                  torch::optim::AdamOptions(options_.lr)
                                                      .betas({options_.beta1, options_.beta2})
                                                      .weight_decay(options_.weight_decay));
  }
  throw ConfigError("training.optimizer: unknown optimizer");
}

void Trainer::reset_optimizer() {
  const double learning_rate = optimizer_->param_groups().front().options().get_lr();
  optimizer_ = make_optimizer();
  set_learning_rate(learning_rate);
}

void Trainer::reset_optimizer_state(const torch::Tensor& parameter, const torch::Tensor& positions) {
  // a view into a parameter (a DAN's block of its packed weight) has its state at its place in the parameter's
  const torch::Tensor owner = nn::detail::owner_of(parameter);
  auto& states = optimizer_->state();
  // the optimizer keys its state by the address of the parameter's TensorImpl, as text
  const auto found = states.find(c10::guts::to_string(owner.unsafeGetTensorImpl()));
  if (found == states.end()) return;
  const auto clear = [&](torch::Tensor& buffer) {
    if (!buffer.defined()) return;
    // state buffers are laid out like the parameter (contiguous, as the optimizer makes them)
    torch::Tensor place = parameter.is_view() ? nn::detail::place_of(parameter, buffer, "optimizer state") : buffer;
    place.masked_fill_(positions.to(buffer.device()), 0);
  };
  if (auto* sgd = dynamic_cast<torch::optim::SGDParamState*>(found->second.get())) {
    torch::Tensor momentum = sgd->momentum_buffer();
    clear(momentum);
  } else if (auto* adam = dynamic_cast<torch::optim::AdamParamState*>(found->second.get())) {
    torch::Tensor first = adam->exp_avg(), second = adam->exp_avg_sq(), highest = adam->max_exp_avg_sq();
    clear(first);
    clear(second);
    clear(highest);
  }
}

void Trainer::set_learning_rate(double learning_rate) {
  for (auto& group : optimizer_->param_groups()) group.options().set_lr(learning_rate);
}

std::int64_t Trainer::steps_per_epoch() const {
  const std::int64_t n = data_.train.size();
  return (n + options_.batch_size - 1) / options_.batch_size;
}

torch::Tensor Trainer::epoch_order(std::int64_t epoch_seed_index) const {
  Rng rng(Rng::derive(seed_, "data-order-" + std::to_string(epoch_seed_index)));
  return torch::tensor(rng.permutation(data_.train.size()), torch::kInt64);
}

Batch Trainer::batch(const torch::Tensor& order, std::int64_t step) const {
  const std::int64_t n = data_.train.size();
  const std::int64_t begin = step * options_.batch_size;
  const std::int64_t end = std::min(n, begin + options_.batch_size);
  const torch::Tensor rows = order.slice(0, begin, end);
  return {data_.train.inputs.index_select(0, rows).to(options_.device),
          data_.train.targets.index_select(0, rows).to(options_.device)};
}

torch::Tensor Trainer::loss_of(const torch::Tensor& output, const torch::Tensor& target) const {
  if (classification_) return torch::nn::functional::cross_entropy(output, target);
  return torch::mse_loss(output, target.reshape(output.sizes()).to(output.dtype()));
}

Evaluation Trainer::evaluate(const plugin::DataSplit& split) {
  torch::NoGradGuard no_grad;
  nn::SparseKernelsScope kernels(options_.eval_kernels);
  model_.eval();
  const std::int64_t n = split.size();
  const std::int64_t batch = std::max<std::int64_t>(options_.batch_size, 1024);
  double loss_sum = 0;
  std::int64_t correct = 0;
  for (std::int64_t begin = 0; begin < n; begin += batch) {
    const std::int64_t end = std::min(n, begin + batch);
    const torch::Tensor inputs = split.inputs.slice(0, begin, end).to(options_.device);
    const torch::Tensor targets = split.targets.slice(0, begin, end).to(options_.device);
    const torch::Tensor output = model_.forward(inputs);
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
  Rng rng(Rng::derive(seed_, "pruning-batches"));
  const torch::Tensor order = torch::tensor(rng.permutation(data_.train.size()), torch::kInt64);
  const Batch rows = batch(order, index % std::max<std::int64_t>(steps_per_epoch(), 1));
  return loss_of(model_.forward(rows.inputs), rows.targets);
}

}  // namespace structlab::train
