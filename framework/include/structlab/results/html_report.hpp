#pragma once
/// \file
/// `structlab report`: one self-contained HTML page (every script and style inlined, nothing fetched) showing
/// the runs collected from archives: spec, run table, failures, accuracy vs density, training curves,
/// per-layer density, accuracy against structure metrics, a heat map over two grid axes, and structure
/// drawings. Charts are drawn by Chart.js (Debian's libjs-chart.js), structure drawings by Graphviz `dot`
/// (Debian's graphviz).

#include <filesystem>
#include <string>

#include "structlab/results/collected_run.hpp"

namespace structlab::results {

/// Where the report's tools are and what it is called.
struct ReportOptions {
  std::string title = "structlab report";  ///< page title and heading
  /// Chart.js's UMD bundle, inlined into the page; environment STRUCTLAB_CHARTJS overrides the default.
  std::filesystem::path chart_library = "/usr/share/javascript/chart.js/chart.min.js";
  std::string dot_program =
      "dot";  ///< Graphviz dot, for structure drawings (environment STRUCTLAB_DOT overrides)
  int max_drawn_vertices = 300;  ///< larger structures get layer widths and degree histograms instead
  int max_drawn_runs = 4;        ///< structure drawings for at most this many runs
};

/// The options with the environment's overrides (STRUCTLAB_CHARTJS, STRUCTLAB_DOT) applied.
ReportOptions report_options_from_environment(ReportOptions options = {});

/// The HTML page for \p collection, which must have been read with layer counts and graphs
/// (`MetadataParts{true, true}`). Throws ConfigError naming the chart library's path when it cannot be read
/// (install libjs-chart.js) and naming dot when a drawing fails.
std::string render_html_report(const Collection& collection, const ReportOptions& options);

}  // namespace structlab::results
