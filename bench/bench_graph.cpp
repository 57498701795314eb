// Figures of the "graph" group: generation, layering and path-length speed against the issue's
// networkx references (measured on the 2-core reference machine).

#include <optional>

#include "bench.hpp"
#include "structlab/graph/layered_graph.hpp"
#include "structlab/graph/metrics.hpp"
#include "structlab/graph/random_graphs.hpp"

namespace structlab::bench {
namespace {

// networkx on the reference machine, seconds
constexpr double networkx_nws_1e6_s = 12.2;
constexpr double networkx_ba_1e6_s = 13.2;
constexpr double networkx_avg_path_ws2000_s = 3.2;
// the targets, seconds
constexpr double target_generation_1e6_s = 0.5;
constexpr double target_layering_1e6_s = 0.5;
constexpr double target_avg_path_ws2000_s = 0.15;

std::map<std::string, double> measure_graph(const BenchOptions& options) {
  const std::int64_t n = options.quick ? 100'000 : 1'000'000;
  const int repeats = options.quick ? 1 : 3;
  std::map<std::string, double> figures;

  figures["gen_nws_1e6_s"] = best_seconds_of(repeats, [&] {
    Rng rng(1);
    graph::newman_watts_strogatz(n, 4, 0.5, rng);
  });
  figures["gen_ba_1e6_s"] = best_seconds_of(repeats, [&] {
    Rng rng(2);
    graph::barabasi_albert(n, 2, rng);
  });
  figures["gen_er_1e6_s"] = best_seconds_of(repeats, [&] {
    Rng rng(3);
    graph::erdos_renyi_gnp(n, 8.0 / static_cast<double>(n), rng);  // average degree 8: 4e6 edges
  });

  // a 1e6-vertex, 4e6-edge DAG: G(n, m) oriented from lower to higher id
  Rng rng(4);
  graph::EdgeListGraph dag_edges = graph::erdos_renyi_gnm(n, 4 * n, rng);
  std::optional<graph::LayeredGraph> dag;
  figures["build_dag_1e6_s"] =
      seconds_of([&] { dag = graph::LayeredGraph::from_edge_list(dag_edges, graph::Orientation::index, 0); });
  figures["layering_1e6_s"] = best_seconds_of(repeats, [&] {
    dag->add_vertex();  // any change drops the cached layering, so each repeat layers from scratch
    dag->num_layers();
  });

  Rng ws_rng(5);
  graph::LayeredGraph ws2000 = graph::LayeredGraph::from_edge_list(
      graph::newman_watts_strogatz(2000, 4, 0.5, ws_rng), graph::Orientation::index, 0);
  figures["avg_path_ws2000_s"] =
      best_seconds_of(repeats, [&] { graph::average_shortest_path_length(ws2000); });
  figures["avg_path_ws2000_1thread_s"] =
      best_seconds_of(repeats, [&] { graph::average_shortest_path_length(ws2000, 0, 0, 1); });
  figures["clustering_ws2000_s"] = best_seconds_of(repeats, [&] { graph::average_clustering(ws2000); });

  // speed-ups over networkx (> 1: faster) and shares of the targets (< 1: within target)
  figures["gen_nws_1e6_speedup_vs_networkx"] = networkx_nws_1e6_s / figures["gen_nws_1e6_s"];
  figures["gen_ba_1e6_speedup_vs_networkx"] = networkx_ba_1e6_s / figures["gen_ba_1e6_s"];
  figures["avg_path_ws2000_speedup_vs_networkx"] = networkx_avg_path_ws2000_s / figures["avg_path_ws2000_s"];
  figures["gen_nws_1e6_of_target"] = figures["gen_nws_1e6_s"] / target_generation_1e6_s;
  figures["gen_ba_1e6_of_target"] = figures["gen_ba_1e6_s"] / target_generation_1e6_s;
  figures["layering_1e6_of_target"] = figures["layering_1e6_s"] / target_layering_1e6_s;
  figures["avg_path_ws2000_of_target"] = figures["avg_path_ws2000_s"] / target_avg_path_ws2000_s;
  return figures;
}

const bool registered = register_group("graph", measure_graph);

}  // namespace
}  // namespace structlab::bench
