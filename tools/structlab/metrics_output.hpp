#pragma once
// The structure metrics of `structlab graph` and `structlab extract`: their flags, computing them, the table.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "structlab/graph/layered_graph.hpp"
#include "structlab/graph/metrics.hpp"

namespace structlab::cli {

/// What `--metrics`, `--metrics-mode` and `--path-samples` asked for.
struct MetricsFlags {
  bool metrics = false;           ///< also compute C and L
  std::string mode = "sampled";   ///< full or sampled (graph::MetricsMode)
  std::int64_t path_samples = 0;  ///< sources of L; 0: as mode says
};

/// Declares `--metrics`, `--metrics-mode` and `--path-samples` on \p command, stored in \p flags.
void add_metrics_flags(CLI::App& command, MetricsFlags& flags);

/// Throws ConfigError naming the option for a negative --path-samples or a --metrics-mode other than full or
/// sampled.
void check_metrics_flags(const MetricsFlags& flags);

/// The metrics of \p structure as \p flags say (C and L only with --metrics), seeded by \p seed, on every
/// core, with a progress line on stderr.
graph::GraphMetrics command_metrics(const graph::LayeredGraph& structure, const MetricsFlags& flags,
                                    std::uint64_t seed);

/// Prints \p metrics on stdout as a two-column table (name, value), long lists shortened.
void print_metrics_table(const graph::GraphMetrics& metrics);

}  // namespace structlab::cli
