// Barabási–Albert preferential attachment.

#include <algorithm>

#include "graph/random/checks.hpp"
#include "structlab/graph/random_graphs.hpp"

namespace structlab::graph {

EdgeListGraph barabasi_albert(std::int64_t n, std::int64_t m, Rng& rng) {
  detail::require(m >= 1, "barabasi_albert", "m", "at least 1", m);
  detail::require(n > m, "barabasi_albert", "n", ("greater than m = " + std::to_string(m)).c_str(), n);
  detail::require_fits("barabasi_albert", "n = " + std::to_string(n) + ", m = " + std::to_string(m),
                       static_cast<double>(n), static_cast<double>(n - m) * static_cast<double>(m));
  EdgeListGraph graph{n, {}, false};
  graph.edges.reserve(static_cast<std::size_t>((n - m) * m));
  // every edge puts both ends on this list, so a uniform pick from it is a degree-proportional pick
  std::vector<VertexId> edge_ends;
  edge_ends.reserve(static_cast<std::size_t>(2 * (n - m) * m));
  // the seed graph is a star: hub 0 linked to 1..m (networkx's default initial graph)
  for (VertexId leaf = 1; leaf <= m; ++leaf) {
    graph.edges.push_back({0, leaf});
    edge_ends.push_back(0);
    edge_ends.push_back(leaf);
  }
  std::vector<VertexId> targets;
  targets.reserve(static_cast<std::size_t>(m));
  for (VertexId source = m + 1; source < n; ++source) {
    targets.clear();
    while (static_cast<std::int64_t>(targets.size()) < m) {
      VertexId pick = edge_ends[rng.below(edge_ends.size())];
      if (std::find(targets.begin(), targets.end(), pick) == targets.end()) targets.push_back(pick);
    }
    for (VertexId target : targets) {
      graph.edges.push_back({target, source});
      edge_ends.push_back(target);
      edge_ends.push_back(source);
    }
  }
  return graph;
}

}  // namespace structlab::graph
