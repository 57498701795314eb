// Building the long run × stage table from collected runs.

#include "structlab/results/run_table.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

namespace structlab::results {
namespace {

// Stage metrics in the order README.md documents them; others follow by name.
const std::vector<std::string>& documented_stage_metrics() {
  static const std::vector<std::string> names{
      "test_loss",  "test_accuracy", "active_weights", "total_weights",        "density",
      "parameters", "hidden_units",  "dead_units",     "units_without_inputs", "units_without_outputs"};
  return names;
}

// "layer_width_2" before "layer_width_10": digit runs compare as numbers.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t i_end = i;
      std::size_t j_end = j;
      while (i_end < a.size() && std::isdigit(static_cast<unsigned char>(a[i_end]))) ++i_end;
      while (j_end < b.size() && std::isdigit(static_cast<unsigned char>(b[j_end]))) ++j_end;
      std::string x = a.substr(i, i_end - i);
      std::string y = b.substr(j, j_end - j);
      x.erase(0, std::min(x.find_first_not_of('0'), x.size()));
      y.erase(0, std::min(y.find_first_not_of('0'), y.size()));
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = i_end;
      j = j_end;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

bool parses_as_integer(const std::string& text, std::int64_t& value) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  long long parsed = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end != text.c_str() + text.size()) return false;
  value = parsed;
  return true;
}

// YAML 1.2 core schema floats: 1.5, 1e-3, .inf, -.inf, .nan (strtod alone would also take "nan", "0x1p3").
bool parses_as_real(const std::string& text, double& value) {
  if (text == ".inf" || text == "+.inf" || text == ".Inf") return value = HUGE_VAL, true;
  if (text == "-.inf" || text == "-.Inf") return value = -HUGE_VAL, true;
  if (text == ".nan" || text == ".NaN") return value = std::nan(""), true;
  if (text.empty() || text.find_first_not_of("0123456789+-.eE") != std::string::npos) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

bool parses_as_boolean(const std::string& text, bool& value) {
  if (text == "true" || text == "True") return value = true, true;
  if (text == "false" || text == "False") return value = false, true;
  return false;
}

// The narrowest type every non-empty value of a spec column fits.
ValueType spec_type(const std::vector<const std::string*>& values) {
  bool integer = true;
  bool real = true;
  bool boolean = true;
  bool any = false;
  for (const std::string* text : values) {
    if (text == nullptr || text->empty()) continue;
    any = true;
    std::int64_t i = 0;
    double d = 0;
    bool b = false;
    integer = integer && parses_as_integer(*text, i);
    real = real && parses_as_real(*text, d);
    boolean = boolean && parses_as_boolean(*text, b);
  }
  if (!any) return ValueType::text;
  if (integer) return ValueType::integer;
  if (real) return ValueType::real;
  if (boolean) return ValueType::boolean;
  return ValueType::text;
}

Cell spec_cell(const std::string* text, ValueType type) {
  if (text == nullptr || text->empty()) return std::monostate{};
  std::int64_t i = 0;
  double d = 0;
  bool b = false;
  switch (type) {
    case ValueType::integer:
      parses_as_integer(*text, i);
      return i;
    case ValueType::real:
      parses_as_real(*text, d);
      return d;
    case ValueType::boolean:
      parses_as_boolean(*text, b);
      return b;
    case ValueType::text:
      break;
  }
  return *text;
}

Cell number_or_null(const std::map<std::string, double>& values, const std::string& name) {
  auto found = values.find(name);
  if (found == values.end()) return std::monostate{};
  return found->second;
}

Cell text_or_null(const std::string& text) {
  if (text.empty()) return std::monostate{};
  return text;
}

std::vector<std::string> sorted_names(const std::set<std::string>& names) {
  std::vector<std::string> sorted(names.begin(), names.end());
  std::sort(sorted.begin(), sorted.end(), natural_less);
  return sorted;
}

}  // namespace

const char* group_name(ColumnGroup group) {
  switch (group) {
    case ColumnGroup::run:
      return "run";
    case ColumnGroup::spec:
      return "spec";
    case ColumnGroup::graph:
      return "graph";
    case ColumnGroup::stage:
      return "stage";
    case ColumnGroup::metric:
      return "metric";
    case ColumnGroup::stage_graph:
      return "stage_graph";
    case ColumnGroup::history:
      return "history";
  }
  return "run";
}

const char* type_name(ValueType type) {
  switch (type) {
    case ValueType::text:
      return "text";
    case ValueType::integer:
      return "integer";
    case ValueType::real:
      return "real";
    case ValueType::boolean:
      return "boolean";
  }
  return "text";
}

RunTable build_run_table(const std::vector<CollectedRun>& runs, StageRows stages) {
  // every spec key, graph metric, stage metric and stage graph metric any run has
  std::set<std::string> spec_keys;
  std::set<std::string> grid_keys;
  std::set<std::string> graph_metrics;
  std::set<std::string> stage_metrics;
  std::set<std::string> stage_graph_metrics;
  bool any_series = false;
  for (const CollectedRun& run : runs) {
    for (const auto& entry : run.spec) spec_keys.insert(entry.first);
    for (const auto& entry : run.grid_point) grid_keys.insert(entry.first);
    for (const auto& entry : run.metadata.structure_metrics) graph_metrics.insert(entry.first);
    for (const archive::StageMetadata& stage : run.metadata.stages) {
      any_series = any_series || !stage.series.empty();
      for (const auto& entry : stage.metrics) stage_metrics.insert(entry.first);
      for (const auto& entry : stage.structure_metrics) stage_graph_metrics.insert(entry.first);
    }
  }
  std::vector<std::string> spec_columns(spec_keys.begin(), spec_keys.end());
  std::vector<std::map<std::string, const std::string*>> spec_of_run(runs.size());
  for (std::size_t r = 0; r < runs.size(); ++r) {
    for (const auto& [key, value] : runs[r].spec) spec_of_run[r][key] = &value;
  }

  RunTable table;
  auto add = [&](std::string name, ColumnGroup group, ValueType type, bool grid = false) {
    table.columns.push_back({std::move(name), group, type, grid});
  };
  add("run_id", ColumnGroup::run, ValueType::text);
  add("experiment", ColumnGroup::run, ValueType::text);
  add("seed", ColumnGroup::run, ValueType::integer);
  add("status", ColumnGroup::run, ValueType::text);
  add("message", ColumnGroup::run, ValueType::text);
  add("spec_hash", ColumnGroup::run, ValueType::text);
  add("grid_point", ColumnGroup::run, ValueType::text);
  add("path", ColumnGroup::run, ValueType::text);
  std::vector<ValueType> spec_types;
  for (const std::string& key : spec_columns) {
    std::vector<const std::string*> values;
    for (const auto& own : spec_of_run) {
      auto found = own.find(key);
      values.push_back(found == own.end() ? nullptr : found->second);
    }
    spec_types.push_back(spec_type(values));
    add(key, ColumnGroup::spec, spec_types.back(), grid_keys.count(key) != 0);
  }
  std::vector<std::string> graph_columns = sorted_names(graph_metrics);
  for (const std::string& name : graph_columns) add("graph." + name, ColumnGroup::graph, ValueType::real);
  add("stage", ColumnGroup::stage, ValueType::integer);
  add("stage_description", ColumnGroup::stage, ValueType::text);
  // only where some run trained several curves side by side (lottery-ticket controls)
  if (any_series) add("stage_series", ColumnGroup::stage, ValueType::text);
  std::vector<std::string> metric_columns;
  for (const std::string& name : documented_stage_metrics()) {
    if (stage_metrics.erase(name) != 0) metric_columns.push_back(name);
  }
  for (const std::string& name : sorted_names(stage_metrics)) metric_columns.push_back(name);
  for (const std::string& name : metric_columns) add(name, ColumnGroup::metric, ValueType::real);
  std::vector<std::string> stage_graph_columns = sorted_names(stage_graph_metrics);
  for (const std::string& name : stage_graph_columns) {
    add("stage_graph." + name, ColumnGroup::stage_graph, ValueType::real);
  }
  add("final_epoch", ColumnGroup::history, ValueType::integer);
  add("seconds", ColumnGroup::history, ValueType::real);

  for (std::size_t r = 0; r < runs.size(); ++r) {
    const CollectedRun& run = runs[r];
    const archive::ArchiveMetadata& metadata = run.metadata;
    std::vector<Cell> run_cells;
    run_cells.emplace_back(run.run_id);
    run_cells.emplace_back(text_or_null(run.experiment));
    run_cells.emplace_back(run.seed ? Cell(static_cast<std::int64_t>(*run.seed)) : Cell(std::monostate{}));
    run_cells.emplace_back(run.status);
    run_cells.emplace_back(text_or_null(run.message));
    run_cells.emplace_back(text_or_null(run.spec_hash));
    run_cells.emplace_back(text_or_null(grid_point_text(run)));
    run_cells.emplace_back(metadata.path.string());
    for (std::size_t k = 0; k < spec_columns.size(); ++k) {
      auto found = spec_of_run[r].find(spec_columns[k]);
      run_cells.push_back(spec_cell(found == spec_of_run[r].end() ? nullptr : found->second, spec_types[k]));
    }
    for (const std::string& name : graph_columns)
      run_cells.push_back(number_or_null(metadata.structure_metrics, name));

    auto stage_row = [&](const archive::StageMetadata* stage) {
      std::vector<Cell> row = run_cells;
      if (stage == nullptr) {
        row.resize(table.columns.size());  // monostate: null
        table.rows.push_back(std::move(row));
        return;
      }
      row.emplace_back(stage->index);
      row.emplace_back(stage->description);
      if (any_series) row.emplace_back(stage->series);
      for (const std::string& name : metric_columns) row.push_back(number_or_null(stage->metrics, name));
      for (const std::string& name : stage_graph_columns)
        row.push_back(number_or_null(stage->structure_metrics, name));
      std::int64_t final_epoch = -1;
      double seconds = 0;
      for (const archive::HistoryRow& epoch : metadata.history) {
        if (epoch.stage != stage->index) continue;
        final_epoch = std::max(final_epoch, epoch.epoch);
        seconds += epoch.seconds;
      }
      row.push_back(final_epoch < 0 ? Cell(std::monostate{}) : Cell(final_epoch));
      row.push_back(final_epoch < 0 ? Cell(std::monostate{}) : Cell(seconds));
      table.rows.push_back(std::move(row));
    };
    if (metadata.stages.empty()) {
      stage_row(nullptr);
    } else if (stages == StageRows::last) {
      stage_row(&result_stage(metadata));
    } else {
      for (const archive::StageMetadata& stage : metadata.stages) stage_row(&stage);
    }
  }
  return table;
}

}  // namespace structlab::results
