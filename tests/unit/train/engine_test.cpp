// TrainingEngine: hooks at every point of the loop, stop requests, state that continues exactly.

#include "structlab/train/engine.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "structlab/error.hpp"
#include "structlab/nn/init_generator.hpp"
#include "structlab/nn/masked_deep_dan.hpp"
#include "structlab/nn/masked_deep_ffn.hpp"
#include "structlab/spec/training_options.hpp"

namespace structlab::train {
namespace {

plugin::DatasetBundle tiny_classification(std::int64_t samples) {
  torch::manual_seed(0);
  plugin::DatasetBundle data;
  data.train = {torch::randn({samples, 6}), torch::randint(0, 3, {samples}, torch::kInt64)};
  data.test = {torch::randn({20, 6}), torch::randint(0, 3, {20}, torch::kInt64)};
  data.input_shape = {6};
  data.num_outputs = 3;
  return data;
}

nn::MaskedDeepFFN tiny_model(std::uint64_t seed) {
  nn::InitGeneratorGuard guard(at::make_generator<at::CPUGeneratorImpl>(seed));
  return nn::MaskedDeepFFN(nn::MaskedDeepFFNOptions({6}, 3, {8}));
}

TrainerOptions adam() {
  TrainerOptions options;
  options.optimizer = OptimizerKind::adam;
  options.lr = 0.01;
  options.batch_size = 10;
  return options;
}

// Records the order of hook calls as letters.
class Recorder : public TrainingHook {
 public:
  std::string name() const override { return "recorder"; }
  void stage_begin(TrainingEngine& engine) override {
    calls += "B" + std::to_string(engine.position().stage);
  }
  void before_step(TrainingEngine& /*engine*/) override { calls += "s"; }
  void after_backward(TrainingEngine& engine) override {
    calls += "g";
    for (const auto& parameter : engine.model().parameters()) gradients_seen &= parameter.grad().defined();
  }
  void after_step(TrainingEngine& /*engine*/) override { calls += "."; }
  void epoch_end(TrainingEngine& /*engine*/, const EpochResult& result) override {
    calls += "E" + std::to_string(result.epoch);
  }
  void stage_end(TrainingEngine& engine) override { calls += "Z" + std::to_string(engine.position().stage); }
  std::string calls;
  bool gradients_seen = true;
};

TEST(TrainingEngine, CallsHooksAtEveryPointInOrder) {
  auto data = tiny_classification(20);  // 2 steps per epoch
  auto model = tiny_model(1);
  TrainingEngine engine(*model, data, adam(), 1);
  Recorder recorder;
  engine.add_hook(recorder);
  engine.run({{"train", 2, "trained", ""}, {"evaluate", 0, "no training", ""}});
  EXPECT_EQ(recorder.calls, "B0sg.sg.E1sg.sg.E2Z0B1Z1");
  EXPECT_TRUE(recorder.gradients_seen);
}

TEST(TrainingEngine, RefusesTwoHooksWithOneName) {
  auto data = tiny_classification(20);
  auto model = tiny_model(1);
  TrainingEngine engine(*model, data, adam(), 1);
  Recorder first, second;
  engine.add_hook(first);
  try {
    engine.add_hook(second);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("two training hooks are named 'recorder'"), std::string::npos);
  }
}

class StopAfterSteps : public TrainingHook {
 public:
  explicit StopAfterSteps(int steps) : left_(steps) {}
  std::string name() const override { return "stop"; }
  void after_step(TrainingEngine& engine) override {
    if (--left_ == 0) engine.request_stop();
  }

 private:
  int left_;
};

// Draws from the engine's generators every step, as dynamic sparse training would.
class Draws : public TrainingHook {
 public:
  std::string name() const override { return "draws"; }
  void after_step(TrainingEngine& engine) override {
    last_rng = engine.rng().next();
    last_torch = torch::rand({1}, engine.generator()).item<double>();
  }
  std::uint64_t last_rng = 0;
  double last_torch = 0;
};

TEST(TrainingEngine, StopsAtTheNextStepBoundaryAndContinuesExactlyFromItsState) {
  auto data = tiny_classification(50);  // 5 steps per epoch
  const std::vector<StagePlan> plan{{"train", 3, "trained", ""}};

  auto reference_model = tiny_model(4);
  TrainingEngine reference(*reference_model, data, adam(), 9);
  Draws reference_draws;
  reference.add_hook(reference_draws);
  reference.run(plan);

  auto model = tiny_model(4);
  TrainingEngine first(*model, data, adam(), 9);
  Draws first_draws;
  StopAfterSteps stop(7);
  first.add_hook(first_draws);
  first.add_hook(stop);
  std::string saved;
  first.set_checkpointer(
      [&](const std::string& state, CheckpointReason reason) {
        EXPECT_EQ(reason, CheckpointReason::interrupted);
        saved = state;
      },
      std::chrono::seconds(0));
  EXPECT_THROW(first.run(plan), RunInterrupted);
  EXPECT_EQ(first.position().epoch, 1);
  EXPECT_EQ(first.position().step, 2);
  ASSERT_FALSE(saved.empty());

  auto resumed_model = tiny_model(123);  // other initial weights: the state must overwrite them
  TrainingEngine resumed(*resumed_model, data, adam(), 9);
  Draws resumed_draws;
  resumed.add_hook(resumed_draws);
  resumed.load_state(saved);
  resumed.run(plan);
  const auto expected = reference_model->parameters();
  const auto actual = resumed_model->parameters();
  ASSERT_EQ(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_TRUE(torch::equal(expected[i], actual[i])) << i;
  EXPECT_EQ(reference.last_test().loss, resumed.last_test().loss);
  // the generators went on from where the stopped run left them
  EXPECT_EQ(reference_draws.last_rng, resumed_draws.last_rng);
  EXPECT_EQ(reference_draws.last_torch, resumed_draws.last_torch);
  EXPECT_NE(first_draws.last_rng, resumed_draws.last_rng);
}

TEST(TrainingEngine, StopWithoutACheckpointerSaysSo) {
  auto data = tiny_classification(20);
  auto model = tiny_model(1);
  TrainingEngine engine(*model, data, adam(), 1);
  StopAfterSteps stop(1);
  engine.add_hook(stop);
  try {
    engine.run({{"train", 1, "trained", ""}});
    FAIL() << "expected RunInterrupted";
  } catch (const RunInterrupted& e) {
    EXPECT_NE(std::string(e.what()).find("without a checkpoint"), std::string::npos) << e.what();
  }
}

TEST(TrainingEngine, StateOfAnotherModelIsAConfigError) {
  auto data = tiny_classification(20);
  auto model = tiny_model(1);
  TrainingEngine engine(*model, data, adam(), 1);
  const std::string state = engine.save_state();
  nn::MaskedDeepFFN other(nn::MaskedDeepFFNOptions({6}, 3, {8, 4}));
  TrainingEngine mismatched(*other, data, adam(), 1);
  EXPECT_THROW(mismatched.load_state(state), ConfigError);
  EXPECT_THROW(mismatched.load_state("not a state"), ConfigError);
}

TEST(TrainingEngine, StateOfAnotherFormatIsRefusedWithBothFormats) {
  auto data = tiny_classification(20);
  auto model = tiny_model(1);
  TrainingEngine engine(*model, data, adam(), 1);
  torch::serialize::OutputArchive archive;  // a state as format 1 wrote it, before the DAN's packed blocks
  archive.write("format", c10::IValue(std::int64_t{1}));
  std::string state;
  archive.save_to([&state](const void* data, std::size_t size) -> std::size_t {
    state.append(static_cast<const char*>(data), size);
    return size;
  });
  std::string message;
  try {
    engine.load_state(state);
  } catch (const ConfigError& error) {
    message = error.what();
  }
  EXPECT_EQ(message, "training state format 1 is not this structlab's (2)");
}

TEST(TrainingEngine, DivergenceNamesTheStep) {
  auto data = tiny_classification(20);
  data.train.inputs[3][0] = std::numeric_limits<float>::quiet_NaN();
  auto model = tiny_model(1);
  TrainingEngine engine(*model, data, adam(), 1);
  try {
    engine.run({{"train", 1, "trained", ""}});
    FAIL() << "expected a TrainingError";
  } catch (const TrainingError& e) {
    EXPECT_NE(std::string(e.what()).find("training diverged: loss is nan at stage 0, epoch 1, step"),
              std::string::npos)
        << e.what();
  }
}

TEST(InitGenerator, SameGeneratorSeedGivesSameWeightsWhateverTheGlobalGenerator) {
  torch::manual_seed(1);
  auto first = tiny_model(42);
  torch::manual_seed(2);
  auto second = tiny_model(42);
  auto third = tiny_model(43);
  EXPECT_TRUE(torch::equal(first->parameters()[0], second->parameters()[0]));
  EXPECT_FALSE(torch::equal(first->parameters()[0], third->parameters()[0]));
}

TEST(TrainingOptions, RefuseWhatValidationWouldRefuse) {
  spec::TrainingSpec training;
  training.lr_schedule.kind = "exponential";
  EXPECT_THROW(spec::trainer_options(training), ConfigError);
  training = spec::TrainingSpec();
  training.optimizer = "rmsprop";
  EXPECT_THROW(spec::trainer_options(training), ConfigError);
}

TEST(TrainingOptions, CudaWithoutACudaDeviceIsAConfigError) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this machine has CUDA";
  spec::TrainingSpec training;
  training.device = "cuda";
  try {
    spec::training_device(training);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(
        std::string(e.what()).find("training.device: cuda requested, but this machine has no CUDA device"),
        std::string::npos)
        << e.what();
  }
}

TEST(Trainer, ResetsOptimizerStateAtAViewsPlaceInItsPackedParameter) {
  const auto data = tiny_classification(40);
  // layers {0, 1} -> {2, 4} -> {3} -> {5}: main_1 is 2 x 2, main_2 1 x 2, main_3 1 x 1, skip_1_3 1 x 2
  const graph::LayeredGraph structure(6, {{0, 2}, {1, 2}, {2, 3}, {0, 4}, {1, 4}, {3, 5}, {4, 5}, {2, 5}});
  nn::InitGeneratorGuard guard(at::make_generator<at::CPUGeneratorImpl>(3));
  nn::MaskedDeepDAN model(structure, nn::MaskedDeepDANOptions({6}, 3));
  {
    torch::NoGradGuard no_grad;
    for (auto& parameter : model->parameters()) parameter.abs_().add_(0.1);  // every ReLU passes
  }
  Trainer trainer(*model, data, adam(), 1);
  const auto order = trainer.epoch_order(0);
  for (std::int64_t step = 0; step < 3; ++step) {  // Adam now has moments for every weight
    trainer.optimizer().zero_grad();
    const Batch batch = trainer.batch(order, step);
    trainer.loss_of(model->forward(batch.inputs), batch.targets).backward();
    trainer.optimizer().step();
  }
  const torch::Tensor packed = model->named_parameters()["hidden_weight"];
  auto& state = dynamic_cast<torch::optim::AdamParamState&>(
      *trainer.optimizer().state().at(c10::guts::to_string(packed.unsafeGetTensorImpl())));
  const torch::Tensor before = state.exp_avg().clone();
  // blocks in plan order: main_1 (entries 0..3), main_2 (4, 5), main_3 (6), skip_1_3 (7, 8)
  const nn::MaskedLayerRef skip = model->masked_layers()[4];
  ASSERT_EQ(skip.name, "skip_1_3");
  ASSERT_TRUE(skip.weight.is_view());
  ASSERT_GT(before.narrow(0, 7, 2).abs().min().item<float>(), 0.f);

  trainer.reset_optimizer_state(skip.weight, torch::tensor({{false, true}}));
  auto expected = before.clone();
  expected[8] = 0.f;
  EXPECT_TRUE(torch::equal(state.exp_avg(), expected));
}

}  // namespace
}  // namespace structlab::train
