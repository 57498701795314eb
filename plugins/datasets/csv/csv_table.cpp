#include "csv_table.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <string_view>

#include "structlab/error.hpp"

namespace structlab::datasets {
namespace {

std::string_view trim_cell(std::string_view cell) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!cell.empty() && blank(cell.front())) cell.remove_prefix(1);
  while (!cell.empty() && blank(cell.back())) cell.remove_suffix(1);
  if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') cell = cell.substr(1, cell.size() - 2);
  return cell;
}

std::vector<std::string_view> split_cells(std::string_view line, char delimiter) {
  std::vector<std::string_view> cells;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = line.find(delimiter, start);
    cells.push_back(trim_cell(line.substr(start, end == std::string_view::npos ? end : end - start)));
    if (end == std::string_view::npos) return cells;
    start = end + 1;
  }
}

// Reads lines of a text file, dropping "\r" of "\r\n" ends and skipping blank lines, counting line numbers.
class LineReader {
 public:
  explicit LineReader(const std::filesystem::path& file) : file_(file), stream_(file) {
    std::error_code ignored;
    if (!std::filesystem::is_regular_file(file, ignored) || !stream_) {
      throw DataError(file.string() + ": cannot read: no such file");
    }
  }
  bool next(std::string& line) {
    while (std::getline(stream_, line)) {
      ++line_number_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") != std::string::npos) return true;
    }
    if (stream_.bad())
      throw DataError(file_.string() + ": read error after line " + std::to_string(line_number_));
    return false;
  }
  std::int64_t line_number() const { return line_number_; }

 private:
  std::filesystem::path file_;
  std::ifstream stream_;
  std::int64_t line_number_ = 0;
};

bool parse_number(std::string_view cell, double& value) {
  if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);  // from_chars refuses an explicit plus
  if (cell.empty()) return false;
  // from_chars ignores the locale, unlike strtod: "1.5" means the same on every machine
  auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  return error == std::errc() && end == cell.data() + cell.size() && std::isfinite(value);
}

}  // namespace

std::string describe_column(const CsvLayout& layout, std::int64_t column) {
  std::string text = "column " + std::to_string(column + 1);
  if (!layout.column_names.empty())
    text += " ('" + layout.column_names[static_cast<std::size_t>(column)] + "')";
  return text;
}

CsvLayout read_csv_layout(const std::filesystem::path& file, char delimiter, bool header) {
  LineReader reader(file);
  std::string line;
  if (!reader.next(line))
    throw DataError(file.string() + ": empty file; expected " + (header ? "a header line" : "data rows"));
  CsvLayout layout;
  auto cells = split_cells(line, delimiter);
  layout.num_columns = static_cast<std::int64_t>(cells.size());
  if (header) {
    for (auto cell : cells) layout.column_names.emplace_back(cell);
  }
  return layout;
}

CsvColumns read_csv_columns(const std::filesystem::path& file, char delimiter, bool header,
                            const CsvLayout& layout, const std::vector<std::int64_t>& selected) {
  LineReader reader(file);
  std::string line;
  if (header) reader.next(line);
  CsvColumns columns;
  while (reader.next(line)) {
    auto cells = split_cells(line, delimiter);
    const std::string where = file.string() + ":" + std::to_string(reader.line_number());
    if (static_cast<std::int64_t>(cells.size()) != layout.num_columns) {
      throw DataError(where + ": " + std::to_string(cells.size()) + " cells, expected " +
                      std::to_string(layout.num_columns) +
                      (header ? " as in the header" : " as in the first row") + " (delimiter '" +
                      std::string(1, delimiter) + "')");
    }
    for (std::int64_t column : selected) {
      std::string_view cell = cells[static_cast<std::size_t>(column)];
      double value = 0;
      if (!parse_number(cell, value)) {
        throw DataError(where + ": " + describe_column(layout, column) + ": '" + std::string(cell) +
                        "' is not a finite number");
      }
      columns.values.push_back(value);
    }
    columns.line_of_row.push_back(reader.line_number());
    ++columns.num_rows;
  }
  if (columns.num_rows == 0)
    throw DataError(file.string() + ": no data rows" + (header ? " after the header" : ""));
  return columns;
}

}  // namespace structlab::datasets
