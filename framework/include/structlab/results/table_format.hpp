#pragma once
/// \file
/// Writing the run table as CSV (pandas reads it as is), JSON (what `structlab report` reads) or JSON Lines.

#include <ostream>
#include <string>
#include <vector>

#include "structlab/results/run_table.hpp"

namespace structlab::results {

/// Output formats of `structlab collect`.
enum class TableFormat { csv, json, jsonl };

/// Parses "csv", "json" or "jsonl"; throws ConfigError naming \p text and the choices otherwise.
TableFormat parse_table_format(const std::string& text);

/// RFC 4180 CSV: a header of column names, then one line per row; null and NaN are empty fields, booleans
/// `true`/`false`, reals in their shortest exact decimal form, text quoted when it holds a comma, quote or
/// line break.
void write_csv(std::ostream& out, const RunTable& table);

/// One JSON object: `columns` (name, group, type, grid for each), `rows` (one object per row, column name →
/// value, null for missing and NaN) and `warnings` (the files skipped).
void write_json(std::ostream& out, const RunTable& table, const std::vector<std::string>& warnings);

/// JSON Lines: one object per row, as in write_json()'s `rows`.
void write_jsonl(std::ostream& out, const RunTable& table);

}  // namespace structlab::results
