#pragma once
// The data a report page draws from, as one JSON document: experiments, runs (with stages, per-layer density
// and history) and structure drawings.

#include <nlohmann/json.hpp>

#include "structlab/results/collected_run.hpp"
#include "structlab/results/html_report.hpp"

namespace structlab::results::detail {

/// `{"title", "experiments": [...], "runs": [...], "drawings": [...], "warnings": [...]}`; NaN values become
/// null. Drawings run Graphviz (structure_drawing.hpp) for up to options.max_drawn_runs runs.
nlohmann::json report_data(const Collection& collection, const ReportOptions& options);

}  // namespace structlab::results::detail
