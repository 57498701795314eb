// Figures for the run archive: how fast a stage of large weight matrices reaches the disk through the
// archive, against a raw sequential write of the same bytes to the same directory. Reference (issue 5):
// archive_write_mb_s >= 50 % of disk_write_mb_s, i.e. archive_over_disk >= 0.5.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "bench.hpp"
#include "structlab/archive/run_archive.hpp"

namespace structlab::bench {
namespace {

namespace fs = std::filesystem;

// One stage as a trained dense-by-structure model would produce it: float32 weights, biases and half-full
// masks.
archive::StageRecord large_stage(bool quick) {
  const std::int64_t layers = quick ? 3 : 4;
  const std::int64_t width = quick ? 256 : 2048;  // 4 x 2048 x 2048 float32 = 64 MiB of weights
  torch::Generator generator = at::detail::createCPUGenerator(7);
  archive::StageRecord stage;
  stage.description = "bench";
  stage.structure = graph::LayeredGraph(2, {{0, 1}});
  for (std::int64_t i = 0; i < layers; ++i) {
    archive::LayerRecord layer;
    layer.name = "layer" + std::to_string(i);
    layer.source_layer = i - 1;
    layer.target_layer = i;
    layer.weight = at::randn({width, width}, generator, torch::kFloat32);
    layer.bias = at::randn({width}, generator, torch::kFloat32);
    layer.mask = at::rand({width, width}, generator) < 0.5;
    stage.layers.push_back(layer);
  }
  return stage;
}

// The stage's tensors back to back: what the raw write puts on disk.
std::vector<char> tensor_bytes(const archive::StageRecord& stage) {
  std::vector<char> bytes;
  for (const auto& layer : stage.layers) {
    for (const torch::Tensor& tensor : {layer.weight, layer.bias, layer.mask}) {
      const char* data = static_cast<const char*>(tensor.data_ptr());
      bytes.insert(bytes.end(), data, data + tensor.nbytes());
    }
  }
  return bytes;
}

// Sequential write + fsync, the durability the archive writer also pays for on finish().
void write_raw(const fs::path& path, const std::vector<char>& bytes) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("cannot create " + path.string());
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  ok = std::fflush(file) == 0 && ok;
  ok = ::fsync(::fileno(file)) == 0 && ok;
  ok = std::fclose(file) == 0 && ok;
  if (!ok) throw std::runtime_error("cannot write " + path.string());
}

std::map<std::string, double> measure_archive(const BenchOptions& options) {
  archive::StageRecord stage = large_stage(options.quick);
  std::vector<char> bytes = tensor_bytes(stage);
  const double megabytes = static_cast<double>(bytes.size()) / 1e6;

  fs::path dir = fs::temp_directory_path() / ("structlab-bench-archive-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path raw_path = dir / "raw.bin";
  const fs::path archive_path = dir / "run.h5";
  double disk_seconds = 1e300, archive_seconds = 1e300, archive_file_mb = 0;
  // interleaved, best of each: both see the same state of the page cache and the device
  for (int repeat = 0; repeat < (options.quick ? 2 : 4); ++repeat) {
    fs::remove(raw_path);
    disk_seconds = std::min(disk_seconds, seconds_of([&] { write_raw(raw_path, bytes); }));
    fs::remove(archive_path);
    archive_seconds = std::min(archive_seconds, seconds_of([&] {
                                 archive::RunArchiveWriter writer(archive_path);
                                 writer.write_stage(stage);
                                 writer.finish("completed", "", "");
                               }));
    archive_file_mb = static_cast<double>(fs::file_size(archive_path)) / 1e6;
  }
  fs::remove_all(dir);

  double archive_mb_s = megabytes / archive_seconds;
  double disk_mb_s = megabytes / disk_seconds;
  return {{"archive_tensor_mb", megabytes},
          {"archive_file_mb", archive_file_mb},
          {"archive_write_mb_s", archive_mb_s},
          {"disk_write_mb_s", disk_mb_s},
          {"archive_over_disk", archive_mb_s / disk_mb_s}};
}

const bool registered = register_group("archive", measure_archive);

}  // namespace
}  // namespace structlab::bench
