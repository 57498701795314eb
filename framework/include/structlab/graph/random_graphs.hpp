#pragma once
/// \file
/// Random graph models behind the generator plugins. Every draw comes from structlab::Rng, so the same
/// seed gives the same graph on every machine. Each function throws GraphError, naming the argument and
/// the accepted range, for arguments outside the model's domain.

#include <cstdint>
#include <vector>

#include "structlab/graph/edge_list.hpp"
#include "structlab/random.hpp"

namespace structlab::graph {

/// Erdős–Rényi G(n, p): each of the n(n-1)/2 vertex pairs is an edge with probability \p p, drawn by
/// geometric skipping (Batagelj & Brandes 2005) in O(n + E). Undirected. Needs n >= 0 and 0 <= p <= 1.
EdgeListGraph erdos_renyi_gnp(std::int64_t n, double p, Rng& rng);

/// Erdős–Rényi G(n, m): \p m distinct pairs chosen uniformly. Undirected. Needs n >= 0 and
/// 0 <= m <= n(n-1)/2.
EdgeListGraph erdos_renyi_gnm(std::int64_t n, std::int64_t m, Rng& rng);

/// Watts–Strogatz: a ring where each vertex links to its \p k nearest neighbours, then each ring edge
/// (u, u+j) is rewired to (u, w) with probability \p p, w uniform, avoiding self loops and duplicates
/// (networkx's algorithm). Exactly n k / 2 edges. Undirected. Needs n >= 1, k even, 0 <= k < n, 0 <= p <= 1.
EdgeListGraph watts_strogatz(std::int64_t n, std::int64_t k, double p, Rng& rng);

/// Newman–Watts–Strogatz: the same ring, and for each ring edge (u, v) with probability \p p a new edge
/// (u, w) is added instead of rewired. At least n k / 2 edges. Undirected. Same domain as watts_strogatz.
EdgeListGraph newman_watts_strogatz(std::int64_t n, std::int64_t k, double p, Rng& rng);

/// Barabási–Albert: a star on m+1 vertices, then each new vertex links to \p m distinct existing
/// vertices chosen with probability proportional to their degree (a list with each vertex repeated once
/// per edge end). Exactly (n - m) m edges. Undirected. Needs 1 <= m < n.
EdgeListGraph barabasi_albert(std::int64_t n, std::int64_t m, Rng& rng);

/// WS-flex (You et al. 2020, "Graph Structure of Neural Networks"): Watts–Strogatz with a real average
/// degree: round(k n / 2) ring edges spread as evenly as possible over the vertices (vertex i links to its
/// next count_i neighbours), then each ring edge rewired with probability \p p. Undirected.
/// Needs n >= 3, 2 <= average_degree <= n - 1, 0 <= p <= 1.
EdgeListGraph ws_flex(std::int64_t n, double average_degree, double p, Rng& rng);

/// Options of random_layered.
struct RandomLayeredOptions {
  std::vector<std::int64_t> widths;  ///< vertices per layer, each >= 1; layer 0 gets ids 0..widths[0]-1
  double next_probability = 0.5;     ///< probability of each edge from layer l to layer l+1
  double skip_probability = 0.0;     ///< probability of each edge from layer l to layer l+2, l+3, ...
  bool keep_layers = false;          ///< give every vertex an input from the previous layer and an output
                                     ///< to the next one, so the layering reproduces `widths`
};

/// A random DAG on given layers: each forward pair of vertices is an edge with the probability for its
/// layer distance (geometric skipping per pair of layers). Directed. Needs at least one layer, widths >= 1
/// and probabilities in [0, 1].
EdgeListGraph random_layered(const RandomLayeredOptions& options, Rng& rng);

/// The dense feed-forward wiring: every vertex of layer l feeds every vertex of layer l+1. Directed.
/// Needs at least one layer and widths >= 1.
EdgeListGraph complete_layered(const std::vector<std::int64_t>& widths);

}  // namespace structlab::graph
