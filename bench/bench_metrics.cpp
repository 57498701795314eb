// Figures of the "metrics" group: structure metrics in `sampled` mode (the default of `archive.metrics`)
// on the two structures whose exact metrics did not finish in 10 minutes (issue 10), single-threaded as a
// run computes them.

#include "bench.hpp"
#include "structlab/graph/archive_metrics.hpp"
#include "structlab/graph/layered_graph.hpp"
#include "structlab/graph/metrics.hpp"
#include "structlab/graph/random_graphs.hpp"
#include "structlab/random.hpp"

namespace structlab::bench {
namespace {

// the target: "within a few seconds on one core"
constexpr double target_sampled_metrics_s = 5.0;

std::map<std::string, double> measure_metrics(const BenchOptions& options) {
  std::map<std::string, double> figures;
  // the dense 784-1500-1500-1500-10 FFN structure (--quick: 784-300-300-300-10)
  const std::int64_t hidden = options.quick ? 300 : 1500;
  graph::LayeredGraph dense = graph::LayeredGraph::from_edge_list(
      graph::complete_layered({784, hidden, hidden, hidden, 10}), graph::Orientation::index, 0);
  std::map<std::string, double> ffn;
  figures["metrics_sampled_dense_ffn_s"] =
      seconds_of([&] { ffn = graph::archive_metrics(dense, graph::MetricsMode::sampled); });
  figures["metrics_sampled_dense_ffn_edges"] = static_cast<double>(dense.num_edges());
  figures["metrics_sampled_dense_ffn_path_samples"] = ffn["path_length_samples"];
  figures["metrics_sampled_dense_ffn_of_target"] =
      figures["metrics_sampled_dense_ffn_s"] / target_sampled_metrics_s;

  // G(n, m) with n = 10^6, m = 3 * 10^6 (--quick: 10^5 vertices)
  const std::int64_t n = options.quick ? 100'000 : 1'000'000;
  Rng rng(1);
  graph::LayeredGraph sparse = graph::LayeredGraph::from_edge_list(graph::erdos_renyi_gnm(n, 3 * n, rng),
                                                                   graph::Orientation::index, 0);
  std::map<std::string, double> er;
  figures["metrics_sampled_er_1e6_s"] =
      seconds_of([&] { er = graph::archive_metrics(sparse, graph::MetricsMode::sampled); });
  figures["metrics_sampled_er_1e6_path_samples"] = er["path_length_samples"];
  figures["metrics_sampled_er_1e6_of_target"] =
      figures["metrics_sampled_er_1e6_s"] / target_sampled_metrics_s;
  return figures;
}

const bool registered = register_group("metrics", measure_metrics);

}  // namespace
}  // namespace structlab::bench
