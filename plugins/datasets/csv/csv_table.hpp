#pragma once
/// \file
/// Reading numeric columns of a delimited text file, with every error naming file, line and column.
///
/// The format is the plain one numeric data sets use: an optional header line of column names, then one
/// row per line, cells separated by a one-character delimiter. Blank lines are skipped, "\r\n" line ends
/// are accepted, cells may be padded with blanks and wrapped in double quotes (which cannot hide a
/// delimiter). Only the columns asked for are parsed, so a file may carry an id or name column that is not
/// used.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace structlab::datasets {

/// The columns of a delimited file.
struct CsvLayout {
  std::vector<std::string> column_names;  ///< from the header line; empty when the file has none
  std::int64_t num_columns = 0;           ///< cells per row (of the header, or else of the first row)
};

/// Selected columns of every row, as numbers.
struct CsvColumns {
  std::int64_t num_rows = 0;              ///< data rows read
  std::vector<double> values;             ///< row-major, num_rows x (number of selected columns)
  std::vector<std::int64_t> line_of_row;  ///< 1-based line number of each row, for error messages
};

/// Reads the header (when \p header) or else the first row of \p file to learn its columns.
/// Throws DataError naming the file when it cannot be read or holds no line at all.
CsvLayout read_csv_layout(const std::filesystem::path& file, char delimiter, bool header);

/// Reads the columns \p selected (0-based, in that order) of every data row of \p file, whose rows must all
/// have \p layout.num_columns cells. Throws DataError naming file:line for a row with another number of
/// cells (stating the expected number), and file:line, column number and name for a cell that is not a
/// finite number; also when the file cannot be read or has no data rows.
CsvColumns read_csv_columns(const std::filesystem::path& file, char delimiter, bool header,
                            const CsvLayout& layout, const std::vector<std::int64_t>& selected);

/// "column 3 ('width')" (1-based) or "column 3" when the file has no header. Throws nothing.
std::string describe_column(const CsvLayout& layout, std::int64_t column);

}  // namespace structlab::datasets
