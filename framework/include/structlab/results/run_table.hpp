#pragma once
/// \file
/// The long table of `structlab collect`: one row per run × stage, columns in a stable documented order
/// (README.md, "Results").

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "structlab/results/collected_run.hpp"

namespace structlab::results {

/// Which part of a run a column comes from (the JSON output's `group`).
enum class ColumnGroup {
  run,          ///< run_id, experiment, seed, status, message, spec_hash, grid_point, path
  spec,         ///< a key of the resolved spec, flattened (`structure.p`)
  graph,        ///< a metric of the run's structure (`graph.average_clustering`)
  stage,        ///< stage, stage_description
  metric,       ///< a stage metric (`test_accuracy`, `density`, ...)
  stage_graph,  ///< a metric of the stage's regenerated structure (`stage_graph.edges`)
  history,      ///< final_epoch, seconds: from the stage's rows of the history
};

/// The type every value of a column has (nulls aside).
enum class ValueType { text, integer, real, boolean };

/// One column of the table.
struct Column {
  std::string name;                      ///< column name
  ColumnGroup group = ColumnGroup::run;  ///< where it comes from
  ValueType type = ValueType::text;      ///< its values' type
  bool grid = false;                     ///< a spec key the experiment's grid varies
};

/// One value: null (missing), a boolean, an integer, a real or a text.
using Cell = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

/// The table.
struct RunTable {
  std::vector<Column> columns;  ///< in output order
  std::vector<std::vector<Cell>>
      rows;  ///< one per run × stage (one for a run without stages), cells by column
};

/// Which stages become rows.
enum class StageRows {
  all,   ///< every stage
  last,  ///< the last stage of each run only
};

/// Builds the table of \p runs: run columns, spec keys (sorted), graph metrics, stage and description, stage
/// metrics (the documented ones first, then the others by name), stage graph metrics, final_epoch, seconds.
/// A run without stages (failed early, partial) still has one row, its stage columns null.
RunTable build_run_table(const std::vector<CollectedRun>& runs, StageRows stages = StageRows::all);

/// The lowercase name of \p group ("run", "spec", ...), as the JSON output writes it.
const char* group_name(ColumnGroup group);
/// The lowercase name of \p type ("text", "integer", "real", "boolean").
const char* type_name(ValueType type);

}  // namespace structlab::results
