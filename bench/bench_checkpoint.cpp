// Figures for checkpoints (issue 10): the time to checkpoint the 784-1000-1000-1000-10 FFN with Adam state
// (serialize the training state, copy the partial archive, write and fsync the checkpoint file) and to resume
// from it (read the checkpoint, reopen the archive from it, restore the state into a fresh engine).

#include <filesystem>

#include "bench.hpp"
#include "structlab/archive/checkpoint.hpp"
#include "structlab/archive/run_archive.hpp"
#include "structlab/nn/masked_deep_ffn.hpp"
#include "structlab/train/engine.hpp"

namespace structlab::bench {
namespace {

namespace fs = std::filesystem;

plugin::DatasetBundle random_images(std::int64_t samples) {
  plugin::DatasetBundle data;
  data.train = {torch::rand({samples, 784}), torch::randint(0, 10, {samples}, torch::kInt64)};
  data.test = {torch::rand({64, 784}), torch::randint(0, 10, {64}, torch::kInt64)};
  data.input_shape = {784};
  data.num_outputs = 10;
  return data;
}

std::map<std::string, double> measure_checkpoint(const BenchOptions& options) {
  const std::int64_t width = options.quick ? 100 : 1000;
  const fs::path dir = fs::temp_directory_path() / "structlab-bench-checkpoint";
  fs::create_directories(dir);
  const fs::path archive_path = dir / "bench.h5";
  const fs::path checkpoint_path = archive::checkpoint_path_of(archive_path);

  const plugin::DatasetBundle data = random_images(256);
  train::TrainerOptions trainer;
  trainer.optimizer = train::OptimizerKind::adam;
  trainer.lr = 1e-3;
  trainer.batch_size = 128;
  nn::MaskedDeepFFN model(nn::MaskedDeepFFNOptions({784}, 10, {width, width, width}));
  train::TrainingEngine engine(*model, data, trainer, 1);
  // two steps, so Adam holds its moments for every parameter
  engine.run({{"train", 1, "trained", ""}});

  archive::RunArchiveWriter writer(archive_path);
  archive::CheckpointInfo info;
  info.structlab_version = "bench";
  info.reason = "periodic";
  const int repeats = options.quick ? 2 : 5;
  const double checkpoint = best_seconds_of(
      repeats, [&] { archive::write_checkpoint(writer, checkpoint_path, info, engine.save_state()); });
  const double resume = best_seconds_of(repeats, [&] {
    archive::Checkpoint saved = archive::read_checkpoint(checkpoint_path);
    archive::RunArchiveWriter reopened(dir / "resumed.h5", checkpoint_path);
    nn::MaskedDeepFFN fresh(nn::MaskedDeepFFNOptions({784}, 10, {width, width, width}));
    train::TrainingEngine resumed(*fresh, data, trainer, 1);
    resumed.load_state(saved.state);
  });
  const double state_megabytes = static_cast<double>(engine.save_state().size()) / 1e6;
  fs::remove_all(dir);
  return {{"checkpoint_ms", checkpoint * 1000.0},
          {"resume_ms", resume * 1000.0},
          {"checkpoint_state_mb", state_megabytes}};
}

const bool registered = register_group("checkpoint", measure_checkpoint);

}  // namespace
}  // namespace structlab::bench
