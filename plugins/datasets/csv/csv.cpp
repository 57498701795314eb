// The `csv` dataset: numeric feature columns and one label (classification) or target (regression) column of
// a delimited text file, split into train/validation/test with the load seed.

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/split.hpp"
#include "csv_table.hpp"
#include "structlab/error.hpp"
#include "structlab/plugin/dataset.hpp"
#include "structlab/plugin/register.hpp"
#include "structlab/random.hpp"

namespace {

using structlab::DataError;
using structlab::Params;
using structlab::datasets::CsvLayout;
using structlab::plugin::DataSplit;
using structlab::plugin::Task;

// The default target_index: the last column.
constexpr std::int64_t kLastColumn = -1;

std::string join_names(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

class CsvDataset : public structlab::plugin::Dataset {
 public:
  static structlab::plugin::PluginInfo info() {
    using structlab::optional_param;
    using structlab::ParamType;
    return {
        "numeric feature columns and a label or target column of a delimited text file",
        "1.0.0",
        {structlab::required_param("path", ParamType::string, "the CSV file"),
         optional_param("header", true, "the first line names the columns"),
         optional_param("delimiter", std::string(","), "one-character cell separator"),
         optional_param("target", std::string(""),
                        "name of the label/target column (needs header; '': use target_index)"),
         optional_param("target_index", kLastColumn,
                        "0-based label/target column; negative counts from the end"),
         optional_param("features", std::vector<std::string>{},
                        "names of the feature columns (needs header; []: every column but the target)"),
         optional_param("task", std::string("classification"),
                        "classification (labels 0..K-1) or regression (real target)"),
         optional_param("test_fraction", 0.2, "fraction of the rows held out for testing, seeded (0: none)"),
         optional_param("validation_fraction", 0.0, "fraction of the rows held out for validation, seeded"),
         optional_param("normalize", false,
                        "standardise each feature with the training split's mean and std")}};
  }

  explicit CsvDataset(const Params& params)
      : params_(params),
        path_(params.get_string("path")),
        header_(params.get_bool("header")),
        target_(params.get_string("target")),
        target_index_(params.get_int("target_index")),
        features_(params.get_string_list("features")),
        test_fraction_(params.get_double("test_fraction")),
        validation_fraction_(params.get_double("validation_fraction")),
        normalize_(params.get_bool("normalize")) {
    const std::string& delimiter = params.get_string("delimiter");
    if (delimiter.size() != 1)
      params.fail("delimiter", "must be exactly one character, got '" + delimiter + "'");
    delimiter_ = delimiter[0];
    const std::string& task = params.get_string("task");
    if (task == "classification") {
      task_ = Task::classification;
    } else if (task == "regression") {
      task_ = Task::regression;
    } else {
      params.fail("task", "unknown task '" + task + "'; expected classification or regression");
    }
    if (!target_.empty() && target_index_ != kLastColumn) {
      params.fail("target_index", "give either target (a column name) or target_index, not both");
    }
    if (!target_.empty() && !header_) params.fail("target", "names a column, so it needs header: true");
    if (!features_.empty() && !header_) params.fail("features", "names columns, so it needs header: true");
    if (!(test_fraction_ >= 0 && test_fraction_ < 1)) params.fail("test_fraction", "must be in [0, 1)");
    if (!(validation_fraction_ >= 0 && validation_fraction_ < 1))
      params.fail("validation_fraction", "must be in [0, 1)");
    if (test_fraction_ + validation_fraction_ >= 1) {
      params.fail("validation_fraction", "together with test_fraction must leave some rows for training");
    }
  }

  // The header line only: the file is there and readable, and names the target and feature columns.
  void check() const override {
    const CsvLayout layout = structlab::datasets::read_csv_layout(path_, delimiter_, header_);
    feature_columns(layout, target_column(layout));
  }

  structlab::plugin::DatasetBundle load(std::uint64_t seed) const override {
    const CsvLayout layout = structlab::datasets::read_csv_layout(path_, delimiter_, header_);
    const std::int64_t target = target_column(layout);
    const std::vector<std::int64_t> features = feature_columns(layout, target);
    std::vector<std::int64_t> selected = features;
    selected.push_back(target);
    const auto table = structlab::datasets::read_csv_columns(path_, delimiter_, header_, layout, selected);

    const auto num_rows = table.num_rows;
    const auto num_features = static_cast<std::int64_t>(features.size());
    const auto stride = num_features + 1;
    auto values = torch::tensor(table.values, torch::kFloat64).view({num_rows, stride});
    DataSplit all;
    all.inputs = values.narrow(1, 0, num_features).to(torch::kFloat32).contiguous();
    std::int64_t num_outputs = 1;
    if (task_ == Task::classification) {
      std::int64_t largest = 0;
      std::vector<std::int64_t> labels(static_cast<std::size_t>(num_rows));
      for (std::int64_t row = 0; row < num_rows; ++row) {
        const double label = table.values[static_cast<std::size_t>(row * stride + num_features)];
        if (!(label >= 0 && label == std::floor(label) && label < 1e9)) {
          std::ostringstream shown;
          shown << label;
          throw DataError(path_ + ":" + std::to_string(table.line_of_row[static_cast<std::size_t>(row)]) +
                          ": " + structlab::datasets::describe_column(layout, target) + ": label " +
                          shown.str() +
                          " is not a class index; expected an integer 0, 1, 2, ... (or task: regression)");
        }
        labels[static_cast<std::size_t>(row)] = static_cast<std::int64_t>(label);
        largest = std::max(largest, labels[static_cast<std::size_t>(row)]);
      }
      all.targets = torch::tensor(labels, torch::kInt64);
      num_outputs = largest + 1;
    } else {
      all.targets = values.narrow(1, num_features, 1).to(torch::kFloat32).contiguous();
    }

    structlab::plugin::DatasetBundle bundle;
    bundle.train = all;
    bundle.test =
        take_fraction(bundle.train, num_rows, test_fraction_, structlab::Rng::derive(seed, "test-split"));
    bundle.validation = take_fraction(bundle.train, num_rows, validation_fraction_,
                                      structlab::Rng::derive(seed, "validation-split"));
    if (bundle.train.size() == 0) {
      throw DataError(path_ + ": " + std::to_string(num_rows) + " rows are too few for test_fraction " +
                      std::to_string(test_fraction_) + " and validation_fraction " +
                      std::to_string(validation_fraction_) + ": no training rows are left");
    }
    if (normalize_) standardize(bundle);

    bundle.input_shape = {num_features};
    bundle.num_outputs = num_outputs;
    bundle.task = task_;
    std::ostringstream description;
    description << "CSV " << path_ << ": " << num_features << " features, "
                << (task_ == Task::classification ? "label " : "target ")
                << structlab::datasets::describe_column(layout, target);
    if (task_ == Task::classification) description << " (" << num_outputs << " classes)";
    description << ", " << bundle.train.size() << " train, " << bundle.validation.size() << " validation, "
                << bundle.test.size() << " test" << (normalize_ ? ", features standardised" : "");
    bundle.description = description.str();
    return bundle;
  }

 private:
  std::int64_t target_column(const CsvLayout& layout) const {
    if (!target_.empty()) {
      auto found = std::find(layout.column_names.begin(), layout.column_names.end(), target_);
      if (found == layout.column_names.end()) {
        params_.fail("target", "no column named '" + target_ + "' in " + path_ + "; its columns are " +
                                   join_names(layout.column_names));
      }
      return found - layout.column_names.begin();
    }
    const std::int64_t column = target_index_ < 0 ? layout.num_columns + target_index_ : target_index_;
    if (column < 0 || column >= layout.num_columns) {
      params_.fail("target_index", "column " + std::to_string(target_index_) + " does not exist: " + path_ +
                                       " has " + std::to_string(layout.num_columns) + " columns");
    }
    return column;
  }

  std::vector<std::int64_t> feature_columns(const CsvLayout& layout, std::int64_t target) const {
    std::vector<std::int64_t> columns;
    if (features_.empty()) {
      for (std::int64_t column = 0; column < layout.num_columns; ++column) {
        if (column != target) columns.push_back(column);
      }
      if (columns.empty())
        throw DataError(path_ + ": has only the target column; expected feature columns too");
      return columns;
    }
    for (const auto& name : features_) {
      auto found = std::find(layout.column_names.begin(), layout.column_names.end(), name);
      if (found == layout.column_names.end()) {
        params_.fail("features", "no column named '" + name + "' in " + path_ + "; its columns are " +
                                     join_names(layout.column_names));
      }
      const std::int64_t column = found - layout.column_names.begin();
      if (column == target) params_.fail("features", "'" + name + "' is the target column");
      if (std::find(columns.begin(), columns.end(), column) != columns.end()) {
        params_.fail("features", "'" + name + "' is listed twice");
      }
      columns.push_back(column);
    }
    return columns;
  }

  // Moves a seeded `fraction` of the `total` rows out of `from`; at least one row when the fraction is not 0.
  static DataSplit take_fraction(DataSplit& from, std::int64_t total, double fraction, std::uint64_t seed) {
    if (fraction <= 0) return {};
    const std::int64_t count =
        std::max<std::int64_t>(1, structlab::datasets::count_of_fraction(total, fraction));
    if (count > from.size()) return from.size() == 0 ? DataSplit{} : std::exchange(from, DataSplit{});
    structlab::Rng rng(seed);
    return structlab::datasets::take_random_samples(from, count, rng);
  }

  // Feature-wise (x - mean) / std with the training split's statistics; a constant feature is only centred.
  static void standardize(structlab::plugin::DatasetBundle& bundle) {
    auto mean = bundle.train.inputs.mean(0, /*keepdim=*/true);
    auto std = bundle.train.size() > 1 ? bundle.train.inputs.std(0, /*unbiased=*/true, /*keepdim=*/true)
                                       : torch::ones_like(mean);
    std = torch::where(std > 0, std, torch::ones_like(std));
    for (DataSplit* split : {&bundle.train, &bundle.validation, &bundle.test}) {
      if (split->size() > 0) split->inputs = (split->inputs - mean) / std;
    }
  }

  Params params_;  // kept so that column names checked at load time can point into the spec
  std::string path_;
  bool header_;
  char delimiter_ = ',';
  std::string target_;
  std::int64_t target_index_;
  std::vector<std::string> features_;
  Task task_ = Task::classification;
  double test_fraction_;
  double validation_fraction_;
  bool normalize_;
};

}  // namespace

STRUCTLAB_REGISTER_DATASET(CsvDataset, csv)
