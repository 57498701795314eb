#pragma once
/// \file
/// The structure metrics a run stores as attributes of `/structure` and `/stages/NN/structure`.

#include <map>
#include <string>

#include "structlab/graph/layered_graph.hpp"
#include "structlab/graph/metrics.hpp"

namespace structlab::graph {

/// The metrics of \p graph as archive attributes: GraphMetrics::flatten() of compute_metrics() with
/// metrics_options_for(graph, mode), so C and L are exact on small graphs and seeded estimates on big ones
/// (`clustering_samples` and `path_length_samples` say from how many samples; 0 = exact). `none` gives an
/// empty map. Throws GraphError when the graph has a cycle.
std::map<std::string, double> archive_metrics(const LayeredGraph& graph, MetricsMode mode);

}  // namespace structlab::graph
