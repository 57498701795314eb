#include <fmt/core.h>

#include "commands.hpp"
#include "structlab/nn/sparse_kernels.hpp"
#include "structlab/runtime.hpp"

namespace structlab::cli {

void add_version_command(CLI::App& app, const GlobalOptions& /*global*/, CommandRunner& selected) {
  auto* command = app.add_subcommand("version", "Print versions of structlab, LibTorch and BLAS, and threads");
  command->callback([&selected] {
    selected = [] {
      RuntimeInfo info = runtime_info();
      fmt::print("structlab   {}\n", info.structlab_version);
      fmt::print("plugin API  {}\n", info.plugin_api_version);
      fmt::print("LibTorch    {}\n", info.torch_version);
      fmt::print("BLAS        {}{}\n", info.blas, info.blas_path.empty() ? "" : " (" + info.blas_path + ")");
      fmt::print("threads     {} (of {} cores; change with --threads)\n", info.threads,
                 info.cores);
      fmt::print("allocator   {}\n", info.allocator);
      fmt::print("sparse      kernels for {} (auto below density {})\n", nn::sparse_kernel_isa(),
                 nn::sparse_crossover_density());
      return 0;
    };
  });
}

}  // namespace structlab::cli
