// CSV, JSON and JSON Lines output of the run table.

#include "structlab/results/table_format.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "structlab/error.hpp"

namespace structlab::results {
namespace {

std::string csv_field(const Cell& cell) {
  if (std::holds_alternative<std::monostate>(cell)) return "";
  if (const bool* b = std::get_if<bool>(&cell)) return *b ? "true" : "false";
  if (const std::int64_t* i = std::get_if<std::int64_t>(&cell)) return std::to_string(*i);
  if (const double* d = std::get_if<double>(&cell)) {
    if (std::isnan(*d)) return "";
    if (std::isinf(*d)) return *d > 0 ? "inf" : "-inf";
    return fmt::format("{}", *d);  // shortest text that reads back as the same double
  }
  const std::string& text = std::get<std::string>(cell);
  if (text.find_first_of(",\"\r\n") == std::string::npos && !text.empty() && text.front() != ' ' &&
      text.back() != ' ') {
    return text;
  }
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

nlohmann::json json_value(const Cell& cell) {
  if (std::holds_alternative<std::monostate>(cell)) return nullptr;
  if (const bool* b = std::get_if<bool>(&cell)) return *b;
  if (const std::int64_t* i = std::get_if<std::int64_t>(&cell)) return *i;
  if (const double* d = std::get_if<double>(&cell)) {
    if (!std::isfinite(*d)) return nullptr;  // JSON has no NaN or infinity
    return *d;
  }
  return std::get<std::string>(cell);
}

// nlohmann::json sorts object keys; the rows keep the table's column order instead.
std::string ordered_row_text(const RunTable& table, const std::vector<Cell>& row) {
  std::string text = "{";
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    if (c != 0) text += ",";
    text += nlohmann::json(table.columns[c].name).dump();
    text += ":";
    text += json_value(row[c]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return text + "}";
}

}  // namespace

TableFormat parse_table_format(const std::string& text) {
  if (text == "csv") return TableFormat::csv;
  if (text == "json") return TableFormat::json;
  if (text == "jsonl") return TableFormat::jsonl;
  throw ConfigError(fmt::format("--format {}: unknown format (csv, json or jsonl)", text));
}

void write_csv(std::ostream& out, const RunTable& table) {
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    out << (c == 0 ? "" : ",") << csv_field(table.columns[c].name);
  }
  out << "\n";
  for (const std::vector<Cell>& row : table.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) out << (c == 0 ? "" : ",") << csv_field(row[c]);
    out << "\n";
  }
}

void write_json(std::ostream& out, const RunTable& table, const std::vector<std::string>& warnings) {
  nlohmann::json columns = nlohmann::json::array();
  for (const Column& column : table.columns) {
    columns.push_back({{"name", column.name},
                       {"group", group_name(column.group)},
                       {"type", type_name(column.type)},
                       {"grid", column.grid}});
  }
  out << "{\"columns\":" << columns.dump() << ",\n\"rows\":[";
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    out << (r == 0 ? "\n" : ",\n") << ordered_row_text(table, table.rows[r]);
  }
  out << "],\n\"warnings\":"
      << nlohmann::json(warnings).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "}\n";
}

void write_jsonl(std::ostream& out, const RunTable& table) {
  for (const std::vector<Cell>& row : table.rows) out << ordered_row_text(table, row) << "\n";
}

}  // namespace structlab::results
