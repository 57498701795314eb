#include "structlab/train/engine.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "structlab/error.hpp"
#include "structlab/train/lr_schedule.hpp"

namespace structlab::train {
namespace {

using Clock = std::chrono::steady_clock;

// Bumped whenever the layout of save_state() changes; load_state() refuses other formats.
constexpr std::int64_t kEngineStateFormat = 2;  // 2: the DAN's hidden blocks packed (hidden_weight, ...)

// Every stage/epoch pair gets its own data order, reproducibly.
std::int64_t epoch_seed_index(std::int64_t stage, std::int64_t epoch) { return stage * 100000 + epoch; }

std::int64_t read_int(torch::serialize::InputArchive& archive, const std::string& key) {
  c10::IValue value;
  archive.read(key, value);
  return value.toInt();
}

double read_double(torch::serialize::InputArchive& archive, const std::string& key) {
  c10::IValue value;
  archive.read(key, value);
  return value.toDouble();
}

}  // namespace

TrainingEngine::TrainingEngine(nn::MaskedModel& model, const plugin::DatasetBundle& data,
                               const TrainerOptions& options, std::uint64_t seed, bool loss_by_task)
    : model_(model),
      data_(data),
      trainer_(model, data, options, seed, loss_by_task),
      rng_(Rng::derive(seed, "engine")),
      generator_(at::make_generator<at::CPUGeneratorImpl>(Rng::derive(seed, "engine-torch"))) {}

void TrainingEngine::add_hook(TrainingHook& hook) {
  for (const TrainingHook* existing : hooks_) {
    if (existing->name() == hook.name()) {
      throw ConfigError(
          fmt::format("two training hooks are named '{}'; hook names must be unique", hook.name()));
    }
  }
  hooks_.push_back(&hook);
}

void TrainingEngine::set_checkpointer(Checkpointer checkpointer, Clock::duration every) {
  checkpointer_ = std::move(checkpointer);
  checkpoint_every_ = every;
}

void TrainingEngine::set_stop_source(std::function<bool()> stop_source) {
  stop_source_ = std::move(stop_source);
}

void TrainingEngine::run(const std::vector<StagePlan>& stages) {
  stages_ = stages;
  stop_requested_ = false;
  last_checkpoint_ = Clock::now();
  const auto count = static_cast<std::int64_t>(stages.size());
  while (position_.stage < count) {
    train_stage();
    position_ = Position{position_.stage + 1, false, 0, 0};
    // after the last stage there is nothing left to resume: a stop request now changes nothing
    if (position_.stage < count) boundary();
  }
}

void TrainingEngine::train_stage() {
  const StagePlan& plan = stage();
  if (!position_.stage_begun) {
    for (TrainingHook* hook : hooks_) hook->stage_begin(*this);
    position_.stage_begun = true;
    boundary();
  }
  while (position_.epoch < plan.epochs) {
    train_epoch();
    boundary();
  }
  if (plan.epochs == 0) last_test_ = trainer_.evaluate(data_.test);
  for (TrainingHook* hook : hooks_) hook->stage_end(*this);
}

void TrainingEngine::train_epoch() {
  const StagePlan& plan = stage();
  const TrainerOptions& options = trainer_.options();
  nn::SparseKernelsScope kernels(options.train_kernels);
  const double learning_rate =
      learning_rate_at(options.lr_schedule, options.lr, position_.epoch, plan.epochs);
  trainer_.set_learning_rate(learning_rate);
  model_.train();
  const torch::Tensor order = trainer_.epoch_order(epoch_seed_index(position_.stage, position_.epoch));
  const std::int64_t steps = steps_per_epoch();
  while (position_.step < steps) {
    const auto start = Clock::now();
    batch_ = trainer_.batch(order, position_.step);
    const Batch& batch = batch_;
    for (TrainingHook* hook : hooks_) hook->before_step(*this);
    optimizer().zero_grad();
    const torch::Tensor output = model_.forward(batch.inputs);
    torch::Tensor loss = trainer_.loss_of(output, batch.targets);
    const double loss_value = loss.item<double>();
    if (!std::isfinite(loss_value)) {
      throw TrainingError(fmt::format(
          "training diverged: loss is {} at stage {}, epoch {}, step {} of {} (try a smaller training.lr)",
          loss_value, position_.stage, position_.epoch + 1, position_.step + 1, steps));
    }
    loss.backward();
    step_loss_ = loss.detach();
    for (TrainingHook* hook : hooks_) hook->after_backward(*this);
    optimizer().step();
    epoch_loss_sum_ += loss_value * static_cast<double>(batch.inputs.size(0));
    if (trainer_.classification())
      epoch_correct_ += output.argmax(1).eq(batch.targets).sum().item<std::int64_t>();
    for (TrainingHook* hook : hooks_) hook->after_step(*this);
    epoch_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
    ++position_.step;
    // the boundary after the last step comes once the epoch is evaluated and recorded
    if (position_.step < steps) boundary();
  }

  const auto samples = static_cast<double>(data_.train.size());
  EpochResult result;
  result.stage = position_.stage;
  result.epoch = position_.epoch + 1;
  result.train_loss = samples > 0 ? epoch_loss_sum_ / samples : 0.0;
  result.train_accuracy = trainer_.classification() && samples > 0
                              ? static_cast<double>(epoch_correct_) / samples
                              : std::numeric_limits<double>::quiet_NaN();
  result.learning_rate = learning_rate;
  result.seconds = epoch_seconds_;
  last_test_ = trainer_.evaluate(data_.test);
  result.test_loss = last_test_.loss;
  result.test_accuracy = last_test_.accuracy;

  ++position_.epoch;
  position_.step = 0;
  epoch_loss_sum_ = 0;
  epoch_correct_ = 0;
  epoch_seconds_ = 0;
  for (TrainingHook* hook : hooks_) hook->epoch_end(*this, result);
}

void TrainingEngine::boundary() {
  const bool stop = stop_requested_ || (stop_source_ && stop_source_());
  if (!stop) {
    if (checkpointer_ && checkpoint_every_ > Clock::duration::zero() &&
        Clock::now() - last_checkpoint_ >= checkpoint_every_) {
      checkpointer_(save_state(), CheckpointReason::periodic);
      last_checkpoint_ = Clock::now();
    }
    return;
  }
  const std::string where =
      fmt::format("stage {}, epoch {}, step {}", position_.stage, position_.epoch, position_.step);
  if (!checkpointer_) throw RunInterrupted("stopped at " + where + " without a checkpoint (none configured)");
  checkpointer_(save_state(), CheckpointReason::interrupted);
  throw RunInterrupted("stopped at " + where + "; a checkpoint was saved");
}

std::string TrainingEngine::save_state() {
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(kEngineStateFormat));
  archive.write("position.stage", c10::IValue(position_.stage));
  archive.write("position.stage_begun", c10::IValue(static_cast<std::int64_t>(position_.stage_begun)));
  archive.write("position.epoch", c10::IValue(position_.epoch));
  archive.write("position.step", c10::IValue(position_.step));
  archive.write("epoch.loss_sum", c10::IValue(epoch_loss_sum_));
  archive.write("epoch.correct", c10::IValue(epoch_correct_));
  archive.write("epoch.seconds", c10::IValue(epoch_seconds_));
  archive.write("last_test.loss", c10::IValue(last_test_.loss));
  archive.write("last_test.accuracy", c10::IValue(last_test_.accuracy));
  archive.write("rng", c10::IValue(rng_.state()));
  archive.write("generator", generator_.get_state());

  torch::serialize::OutputArchive model_archive;
  model_.save(model_archive);
  archive.write("model", model_archive);
  torch::serialize::OutputArchive optimizer_archive;
  optimizer().save(optimizer_archive);
  archive.write("optimizer", optimizer_archive);
  for (const TrainingHook* hook : hooks_) {
    torch::serialize::OutputArchive hook_archive;
    hook->save_state(hook_archive);
    archive.write("hook." + hook->name(), hook_archive);
  }

  std::string bytes;
  archive.save_to([&bytes](const void* data, std::size_t size) -> std::size_t {
    bytes.append(static_cast<const char*>(data), size);
    return size;
  });
  return bytes;
}

void TrainingEngine::load_state(const std::string& state) {
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(state.data(), state.size());
    const std::int64_t format = read_int(archive, "format");
    if (format != kEngineStateFormat) {
      throw ConfigError(
          fmt::format("training state format {} is not this structlab's ({})", format, kEngineStateFormat));
    }
    position_.stage = read_int(archive, "position.stage");
    position_.stage_begun = read_int(archive, "position.stage_begun") != 0;
    position_.epoch = read_int(archive, "position.epoch");
    position_.step = read_int(archive, "position.step");
    epoch_loss_sum_ = read_double(archive, "epoch.loss_sum");
    epoch_correct_ = read_int(archive, "epoch.correct");
    epoch_seconds_ = read_double(archive, "epoch.seconds");
    last_test_.loss = read_double(archive, "last_test.loss");
    last_test_.accuracy = read_double(archive, "last_test.accuracy");
    c10::IValue rng_state;
    archive.read("rng", rng_state);
    rng_.set_state(rng_state.toStringRef());
    torch::Tensor generator_state;
    archive.read("generator", generator_state);
    generator_.set_state(generator_state);

    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    model_.load(model_archive);
    torch::serialize::InputArchive optimizer_archive;
    archive.read("optimizer", optimizer_archive);
    optimizer().load(optimizer_archive);
    for (TrainingHook* hook : hooks_) {
      // a hook the saved run did not have (added by an embedding program) starts fresh
      torch::serialize::InputArchive hook_archive;
      if (archive.try_read("hook." + hook->name(), hook_archive)) hook->load_state(hook_archive);
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw ConfigError(fmt::format("the saved training state does not fit this run: {}", e.what()));
  }
}

}  // namespace structlab::train
