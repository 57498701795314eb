// Figures for the sparse kernels (group "sparse"): the dense masked path against the sparse path on the same
// model in the same run, at 1 thread and at the bench's thread count.
//   - FFN 784-1000-1000-1000-10, batch 128, every layer pruned to the stated sparsity with random masks (and once
//     with magnitude masks of a briefly trained net): SGD step (forward, backward, update);
//     sparse_step_speedup_S = dense step / sparse step. At 0% and 50% the sparse side runs in `auto` mode, which
//     must never be slower than dense; at 90% and above it runs `on`.
//   - sparse_eval_speedup_95: forward of a batch of 1024 without gradients.
//   - the crossover: the density of one 1000×1000 layer's step above which the sparse path stops paying.
//   - LibTorch's own sparse matmuls (COO and CSR) and Eigen's sparse matrix (Debian's libeigen3-dev, when
//     installed) on one 1000×1000 layer at 95%, forward, beside ours.
//   - gradual_95_finetune_epoch_speedup: a real run of configs/ffn-gradual95.yaml (the same FFN on Fashion-MNIST,
//     2 dense epochs, AGP to 95% over 2 epochs, 2 fine-tuning epochs) with the default `auto`: a dense epoch's
//     training time over a fine-tuning epoch's, from the archive's history; _off is the fine-tuning epoch of
//     the same run with sparse_kernels off over the one with auto. Skipped (-1) without the dataset or with
//     --quick.
// References (issue #14): SparseProp trains a 768→3072 layer 2.2–2.35× faster than dense at 98% on one thread;
// PyTorch's CSR matmul breaks even near 85–90% sparsity.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#ifdef STRUCTLAB_BENCH_EIGEN
#include <Eigen/Sparse>
#endif

#include "bench.hpp"
#include "structlab/archive/run_archive.hpp"
#include "structlab/nn/masked_deep_ffn.hpp"
#include "structlab/nn/sparse_kernels.hpp"
#include "structlab/run/runner.hpp"
#include "structlab/spec/loader.hpp"

namespace structlab::bench {
namespace {

constexpr std::int64_t kInputs = 784;
constexpr std::int64_t kClasses = 10;

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double median_ms(int repeats, const std::function<void()>& fn) {
  for (int i = 0; i < 2; ++i) fn();  // warm-up: allocator, thread pool, index lists
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) times.push_back(seconds_of(fn) * 1e3);
  return median_of(times);
}

// Dense and sparse medians of the same work, measured in alternating rounds so both see the same load.
std::pair<double, double> side_by_side(int rounds, int repeats, const std::function<void()>& dense,
                                       const std::function<void()>& sparse) {
  std::vector<double> dense_ms, sparse_ms;
  for (int round = 0; round < rounds; ++round) {
    dense_ms.push_back(median_ms(repeats, dense));
    sparse_ms.push_back(median_ms(repeats, sparse));
  }
  return {median_of(dense_ms), median_of(sparse_ms)};
}

std::function<void()> in_mode(nn::SparseKernels mode, std::function<void()> work) {
  return [mode, work = std::move(work)] {
    nn::SparseKernelsScope scope(mode);
    work();
  };
}

struct Ffn {
  nn::MaskedDeepFFN model;
  torch::optim::SGD optimizer;
  explicit Ffn(const std::vector<std::int64_t>& widths)
      : model(nn::MaskedDeepFFNOptions({kInputs}, kClasses, widths)),
        optimizer(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9)) {}
};

std::function<void()> sgd_step(Ffn& net, const torch::Tensor& x, const torch::Tensor& y) {
  return [&net, x, y] {
    net.optimizer.zero_grad();
    torch::nn::functional::cross_entropy(net.model->forward(x), y).backward();
    net.optimizer.step();
  };
}

// Every layer keeps a random \p density of its weights.
void random_masks(Ffn& net, double density) {
  for (auto& layer : net.model->masked_layers()) layer.set_mask(torch::rand_like(layer.weight) < density);
}

// Every layer keeps its largest-magnitude \p density of weights after some SGD steps on a random teacher task.
void magnitude_masks(Ffn& net, double density, const torch::Tensor& x) {
  torch::manual_seed(1);
  auto teacher = torch::randn({kInputs, kClasses});
  auto labels = x.matmul(teacher).argmax(1);
  auto step = sgd_step(net, x, labels);
  for (int i = 0; i < 200; ++i) step();
  torch::NoGradGuard no_grad;
  for (auto& layer : net.model->masked_layers()) {
    const auto magnitudes = layer.weight.abs().flatten();
    const auto keep = std::max<std::int64_t>(1, static_cast<std::int64_t>(density * magnitudes.numel()));
    const auto threshold = std::get<0>(magnitudes.topk(keep)).min();
    layer.set_mask(layer.weight.abs() >= threshold);
  }
}

// dense step / sparse step of the FFN at \p density, the sparse side in \p mode.
double step_speedup(const std::vector<std::int64_t>& widths, double density, nn::SparseKernels mode,
                    bool magnitude, int rounds, int repeats) {
  torch::manual_seed(0);
  Ffn net(widths);
  auto x = torch::randn({128, kInputs});
  auto y = torch::randint(kClasses, {128}, torch::kInt64);
  if (magnitude) magnitude_masks(net, density, x);
  else if (density < 1.0) random_masks(net, density);
  auto step = sgd_step(net, x, y);
  auto [dense_ms, sparse_ms] =
      side_by_side(rounds, repeats, in_mode(nn::SparseKernels::off, step), in_mode(mode, step));
  return dense_ms / sparse_ms;
}

double eval_speedup(const std::vector<std::int64_t>& widths, double density, int rounds, int repeats) {
  torch::manual_seed(0);
  Ffn net(widths);
  random_masks(net, density);
  auto x = torch::randn({1024, kInputs});
  auto forward = [&net, x] {
    torch::NoGradGuard no_grad;
    net.model->forward(x);
  };
  auto [dense_ms, sparse_ms] = side_by_side(rounds, repeats, in_mode(nn::SparseKernels::off, forward),
                                            in_mode(nn::SparseKernels::on, forward));
  return dense_ms / sparse_ms;
}

// One masked 1000×1000 layer's forward + backward at each density; the first density (in steps of 0.05) at
// which the sparse path is slower than the dense one.
double crossover_density(std::int64_t size, int rounds, int repeats) {
  torch::manual_seed(0);
  nn::MaskedLinear layer(size, size);
  auto x = torch::randn({128, size}, torch::requires_grad());
  for (double density = 0.05; density < 1.0; density += 0.05) {
    layer->set_mask(torch::rand_like(layer->weight) < density);
    auto step = [&layer, x] {
      layer->zero_grad();
      layer->forward(x).sum().backward();
    };
    auto [dense_ms, sparse_ms] = side_by_side(rounds, repeats, in_mode(nn::SparseKernels::off, step),
                                              in_mode(nn::SparseKernels::on, step));
    if (sparse_ms > dense_ms) return density;
  }
  return 1.0;
}

#ifdef STRUCTLAB_BENCH_EIGEN
// Milliseconds of W xT with W as an Eigen row-major sparse matrix (Debian's Eigen 3.4; one thread, built for the
// same generic x86-64 as the rest of structlab).
double eigen_sparse_forward_ms(const torch::Tensor& weight, const torch::Tensor& xT, int repeats) {
  using RowMajorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const auto rows = weight.size(0), cols = weight.size(1), batch = xT.size(1);
  std::vector<Eigen::Triplet<float>> entries;
  const float* w = weight.data_ptr<float>();
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) {
      if (w[r * cols + c] != 0.f) entries.emplace_back(r, c, w[r * cols + c]);
    }
  }
  Eigen::SparseMatrix<float, Eigen::RowMajor> sparse(rows, cols);
  sparse.setFromTriplets(entries.begin(), entries.end());
  const Eigen::Map<const RowMajorMatrix> x(xT.data_ptr<float>(), cols, batch);
  RowMajorMatrix y(rows, batch);
  return median_ms(repeats, [&] { y.noalias() = sparse * x; });
}
#endif

// Forward milliseconds of W x for a 1000×1000 W at 95% sparsity: dense addmm, LibTorch's COO and CSR matmuls
// (-1 where this LibTorch build refuses one), and the sparse MaskedLinear path.
std::map<std::string, double> libtorch_sparse_ops(std::int64_t size, int repeats) {
  torch::manual_seed(0);
  nn::MaskedLinear layer(size, size);
  layer->set_mask(torch::rand_like(layer->weight) < 0.05);
  const auto weight = (layer->weight * layer->mask()).detach();
  const auto x = torch::randn({128, size});
  const auto xT = x.t().contiguous();
  torch::NoGradGuard no_grad;
  std::map<std::string, double> figures;
  figures["libtorch_dense_mm_95_ms"] = median_ms(repeats, [&] { torch::mm(weight, xT); });
  auto try_ms = [&](const std::string& name, const std::function<torch::Tensor()>& make,
                    const std::function<void(const torch::Tensor&)>& use) {
    try {
      const auto sparse = make();
      figures[name] = median_ms(repeats, [&] { use(sparse); });
    } catch (const std::exception& error) {
      std::cerr << name << ": not available in this LibTorch (" << std::string(error.what()).substr(0, 120)
                << ")\n";
      figures[name] = -1;
    }
  };
  try_ms("libtorch_coo_mm_95_ms", [&] { return weight.to_sparse(); },
         [&](const torch::Tensor& w) { torch::mm(w, xT); });
  try_ms("libtorch_csr_mm_95_ms", [&] { return weight.to_sparse_csr(); },
         [&](const torch::Tensor& w) { torch::mm(w, xT); });
#ifdef STRUCTLAB_BENCH_EIGEN
  figures["eigen_csr_mm_95_ms"] = eigen_sparse_forward_ms(weight, xT, repeats);
#endif
  figures["structlab_sparse_forward_95_ms"] = median_ms(repeats, [&] {
    nn::SparseKernelsScope on(nn::SparseKernels::on);
    layer->forward(x);
  });
  return figures;
}

// configs/ffn-gradual95.yaml, with the fine-tuning kernels set by the caller.
const char* kGradualSpec = R"(experiment: ffn-gradual95
seeds: [1]
dataset: {plugin: idx}
model: {plugin: ffn, hidden_widths: [1000, 1000, 1000]}
training: {epochs: 2, lr: 0.05}
pruning:
  plugin: magnitude_layerwise
  schedule: {kind: gradual, initial_sparsity: 0.0, final_sparsity: 0.95, start_epoch: 0, end_epoch: 2,
             frequency: 100, finetune_epochs: 2}
)";

class SilentProgress : public run::ProgressSink {
 public:
  void update(const run::ProgressUpdate&) override {}
  void finished(const run::RunOutcome&) override {}
};

// The run's (mean dense-epoch seconds, mean fine-tuning-epoch seconds) with training.sparse_kernels = \p mode.
std::pair<double, double> gradual_epoch_seconds(const std::string& mode) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "structlab-bench-sparse";
  fs::create_directories(dir);
  const fs::path spec = dir / "ffn-gradual95.yaml";
  std::ofstream(spec) << kGradualSpec;
  spec::ExperimentPlan plan = spec::plan_experiment(spec, {"training.sparse_kernels=" + mode}, {});
  run::RunnerOptions runner;
  runner.out_dir = dir / "out";
  runner.force = true;
  SilentProgress progress;
  const auto outcomes = run::run_plan(plan, runner, progress);
  if (outcomes.front().status != "completed") throw std::runtime_error(outcomes.front().message);
  const auto summary = archive::read_archive(outcomes.front().archive, archive::LayerTensors::masks_only);
  fs::remove_all(dir);
  double dense = 0, finetune = 0;
  int dense_epochs = 0, finetune_epochs = 0;
  for (const auto& row : summary.history) {
    if (row.stage == 0) {
      dense += row.seconds;
      ++dense_epochs;
    } else if (row.epoch > 2) {  // the gradual stage's epochs 3 and 4 are the fine-tuning at 95%
      finetune += row.seconds;
      ++finetune_epochs;
    }
  }
  return {dense / dense_epochs, finetune / finetune_epochs};
}

std::map<std::string, double> end_to_end(const BenchOptions& options) {
  if (options.quick || !std::filesystem::exists("/usr/share/datasets/fashion-mnist")) {
    std::cerr << "gradual_95_finetune_epoch_speedup: skipped (--quick, or no Fashion-MNIST in "
                 "/usr/share/datasets/fashion-mnist)\n";
    return {{"gradual_95_finetune_epoch_speedup", -1}};
  }
  const auto [dense_epoch, sparse_finetune] = gradual_epoch_seconds("auto");
  const auto [dense_again, masked_finetune] = gradual_epoch_seconds("off");
  return {{"gradual_95_dense_epoch_s", dense_epoch},
          {"gradual_95_finetune_epoch_s", sparse_finetune},
          {"gradual_95_finetune_epoch_off_s", masked_finetune},
          {"gradual_95_finetune_epoch_speedup", dense_epoch / sparse_finetune},
          {"gradual_95_finetune_epoch_speedup_off", masked_finetune / sparse_finetune}};
}

std::map<std::string, double> measure(const BenchOptions& options) {
  const bool quick = options.quick;
  const std::vector<std::int64_t> widths =
      quick ? std::vector<std::int64_t>{300, 300, 300} : std::vector<std::int64_t>{1000, 1000, 1000};
  const int rounds = quick ? 2 : 5;
  const int repeats = quick ? 3 : 5;
  std::map<std::string, double> figures;
  figures["sparse_crossover_density_auto"] = nn::sparse_crossover_density();
  std::cerr << "sparse kernels run with " << nn::sparse_kernel_isa() << "\n";
  const int all_threads = torch::get_num_threads();
  std::vector<int> thread_counts{1};
  if (all_threads > 1) thread_counts.push_back(all_threads);
  for (int threads : thread_counts) {
    torch::set_num_threads(threads);
    const std::string suffix = threads == all_threads ? "" : fmt::format("_{}thread", threads);
    for (int sparsity : {0, 50, 90, 95, 98}) {
      const auto mode = sparsity >= 90 ? nn::SparseKernels::on : nn::SparseKernels::automatic;
      figures[fmt::format("sparse_step_speedup_{}{}", sparsity, suffix)] =
          step_speedup(widths, 1.0 - sparsity / 100.0, mode, false, rounds, repeats);
    }
    figures["sparse_step_speedup_95_magnitude" + suffix] =
        step_speedup(widths, 0.05, nn::SparseKernels::on, true, rounds, repeats);
    figures["sparse_eval_speedup_95" + suffix] = eval_speedup(widths, 0.05, rounds, repeats);
    figures["sparse_crossover_density_measured" + suffix] = crossover_density(quick ? 300 : 1000, rounds, repeats);
  }
  torch::set_num_threads(all_threads);
  for (const auto& [name, value] : libtorch_sparse_ops(quick ? 300 : 1000, quick ? 3 : 11)) figures[name] = value;
  for (const auto& [name, value] : end_to_end(options)) figures[name] = value;
  return figures;
}

const bool registered = register_group("sparse", measure);

}  // namespace
}  // namespace structlab::bench
