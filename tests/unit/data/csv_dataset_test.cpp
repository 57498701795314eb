// The `csv` dataset plugin on small delimited files written here, good and broken.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "dataset_test_support.hpp"
#include "structlab/error.hpp"

namespace structlab::test {
namespace {

using plugin::DatasetBundle;

// Ten rows: a = row index, b = 10 * row index, label = row index % 3.
std::string ten_labelled_rows() {
  std::string text = "a,b,label\n";
  for (int i = 0; i < 10; ++i)
    text += std::to_string(i) + "," + std::to_string(10 * i) + "," + std::to_string(i % 3) + "\n";
  return text;
}

struct CsvFixture {
  ScratchDir dir;
  std::filesystem::path file;
  explicit CsvFixture(const std::string& text, const std::string& name = "data.csv") : file(dir / name) {
    write_file(file, text);
  }
  Params params() const {
    Params params("dataset 'csv'", "dataset");
    params.set("path", file.string());
    return params;
  }
};

DatasetBundle load(const Params& params, std::uint64_t seed = 1) {
  return make_dataset("csv", params)->load(seed);
}

// The `a` values of a split, which identify its rows.
std::set<int> row_ids(const plugin::DataSplit& split) {
  std::set<int> ids;
  for (std::int64_t i = 0; i < split.size(); ++i)
    ids.insert(static_cast<int>(split.inputs[i][0].item<float>()));
  return ids;
}

TEST(CsvDataset, LastColumnIsTheLabelByDefault) {
  CsvFixture data(ten_labelled_rows());
  DatasetBundle bundle = load(data.params());

  EXPECT_EQ(bundle.task, plugin::Task::classification);
  EXPECT_EQ(bundle.input_shape, (std::vector<std::int64_t>{2}));
  EXPECT_EQ(bundle.num_outputs, 3);
  ASSERT_EQ(bundle.test.size(), 2);  // test_fraction 0.2 of 10
  ASSERT_EQ(bundle.train.size(), 8);
  EXPECT_EQ(bundle.train.inputs.scalar_type(), torch::kFloat32);
  EXPECT_EQ(bundle.train.targets.scalar_type(), torch::kInt64);
  EXPECT_EQ(bundle.train.targets.sizes(), (std::vector<std::int64_t>{8}));
  // every row keeps its own features and label
  for (const auto* split : {&bundle.train, &bundle.test}) {
    for (std::int64_t i = 0; i < split->size(); ++i) {
      const int row = static_cast<int>(split->inputs[i][0].item<float>());
      EXPECT_EQ(split->inputs[i][1].item<float>(), 10.0f * row);
      EXPECT_EQ(split->targets[i].item<std::int64_t>(), row % 3);
    }
  }
  std::set<int> all = row_ids(bundle.train);
  std::set<int> test = row_ids(bundle.test);
  all.insert(test.begin(), test.end());
  EXPECT_EQ(all.size(), 10u);
}

TEST(CsvDataset, SplitsAreSeeded) {
  CsvFixture data(ten_labelled_rows());
  Params params = data.params();
  params.set("test_fraction", 0.3);
  params.set("validation_fraction", 0.2);
  DatasetBundle first = load(params, 3);
  DatasetBundle again = load(params, 3);
  DatasetBundle other = load(params, 4);
  EXPECT_EQ(first.test.size(), 3);
  EXPECT_EQ(first.validation.size(), 2);
  EXPECT_EQ(first.train.size(), 5);
  EXPECT_TRUE(torch::equal(first.train.inputs, again.train.inputs));
  EXPECT_TRUE(torch::equal(first.validation.inputs, again.validation.inputs));
  EXPECT_NE(row_ids(first.test), row_ids(other.test));
}

TEST(CsvDataset, TargetByNameAndChosenFeaturesSkipUnusedTextColumns) {
  CsvFixture data(
      "id,x,name,y\n"
      "7, 1.5 ,alpha,  -2\n"
      "8,\"2.5\",beta,+4e1\r\n"
      "\n"
      "9,3.5,gamma,6\n");
  Params params = data.params();
  params.set("target", std::string("y"));
  params.set("features", std::vector<std::string>{"x", "id"});
  params.set("task", std::string("regression"));
  params.set("test_fraction", 0.0);
  DatasetBundle bundle = load(params);

  EXPECT_EQ(bundle.task, plugin::Task::regression);
  EXPECT_EQ(bundle.num_outputs, 1);
  EXPECT_EQ(bundle.test.size(), 0);
  EXPECT_TRUE(torch::equal(bundle.train.inputs, torch::tensor({{1.5f, 7.0f}, {2.5f, 8.0f}, {3.5f, 9.0f}})));
  EXPECT_EQ(bundle.train.targets.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(bundle.train.targets, torch::tensor({{-2.0f}, {40.0f}, {6.0f}})));
}

TEST(CsvDataset, HeaderlessFileWithTargetIndexAndDelimiter) {
  CsvFixture data("1;0.5;0.25\n0;1.5;2.25\n1;2.5;6.25\n");
  Params params = data.params();
  params.set("header", false);
  params.set("delimiter", std::string(";"));
  params.set("target_index", std::int64_t{0});
  params.set("test_fraction", 0.0);
  DatasetBundle bundle = load(params);
  EXPECT_TRUE(
      torch::equal(bundle.train.inputs, torch::tensor({{0.5f, 0.25f}, {1.5f, 2.25f}, {2.5f, 6.25f}})));
  EXPECT_TRUE(torch::equal(bundle.train.targets, torch::tensor({1, 0, 1}, torch::kInt64)));
  EXPECT_EQ(bundle.num_outputs, 2);
}

TEST(CsvDataset, NormalizeStandardisesWithTrainingStatistics) {
  CsvFixture data(ten_labelled_rows());
  Params params = data.params();
  params.set("normalize", true);
  DatasetBundle bundle = load(params);
  auto mean = bundle.train.inputs.mean(0);
  auto std = bundle.train.inputs.std(0);
  EXPECT_TRUE(torch::allclose(mean, torch::zeros({2}), 1e-5, 1e-5)) << mean;
  EXPECT_TRUE(torch::allclose(std, torch::ones({2}), 1e-5, 1e-5)) << std;
}

TEST(CsvDataset, NonNumericCellNamesFileLineAndColumn) {
  CsvFixture data("a,b,label\n1,2,0\n3,oops,1\n");
  std::string message = load_error<DataError>("csv", data.params());
  EXPECT_NE(message.find(data.file.string() + ":3: column 2 ('b'): 'oops' is not a finite number"),
            std::string::npos)
      << message;
}

TEST(CsvDataset, WrongCellCountNamesFileLineAndExpectedCount) {
  CsvFixture data("a,b,label\n1,2,0\n3,1\n");
  std::string message = load_error<DataError>("csv", data.params());
  EXPECT_NE(message.find(data.file.string() + ":3: 2 cells, expected 3"), std::string::npos) << message;
}

TEST(CsvDataset, FractionalLabelIsADataError) {
  CsvFixture data("a,label\n1,0\n2,1.5\n");
  std::string message = load_error<DataError>("csv", data.params());
  EXPECT_NE(message.find(data.file.string() + ":3: column 2 ('label'): label 1.5"), std::string::npos)
      << message;
}

TEST(CsvDataset, MissingFileIsADataError) {
  CsvFixture data("a,label\n1,0\n");
  Params params = data.params();
  params.set("path", (data.dir / "absent.csv").string());
  std::string message = load_error<DataError>("csv", params);
  EXPECT_NE(message.find((data.dir / "absent.csv").string()), std::string::npos) << message;
}

TEST(CsvDataset, HeaderWithoutRowsIsADataError) {
  CsvFixture data("a,label\n");
  std::string message = load_error<DataError>("csv", data.params());
  EXPECT_NE(message.find(data.file.string() + ": no data rows"), std::string::npos) << message;
}

TEST(CsvDataset, UnknownTargetColumnIsAConfigErrorListingTheColumns) {
  CsvFixture data(ten_labelled_rows());
  Params params = data.params();
  params.set("target", std::string("class"));
  std::string message = load_error<ConfigError>("csv", params);
  EXPECT_NE(message.find("dataset.target"), std::string::npos) << message;
  EXPECT_NE(message.find("no column named 'class'"), std::string::npos) << message;
  EXPECT_NE(message.find("a, b, label"), std::string::npos) << message;
}

TEST(CsvDataset, CheckReadsOnlyTheHeaderForTheFileAndColumns) {
  CsvFixture data(ten_labelled_rows());
  EXPECT_NO_THROW(make_dataset("csv", data.params())->check());
  Params params = data.params();
  params.set("path", (data.dir / "absent.csv").string());
  std::string message = message_of<DataError>([&] { make_dataset("csv", params)->check(); });
  EXPECT_NE(message.find((data.dir / "absent.csv").string() + ": cannot read: no such file"), std::string::npos)
      << message;
  params = data.params();
  params.set("target", std::string("class"));
  message = message_of<ConfigError>([&] { make_dataset("csv", params)->check(); });
  EXPECT_NE(message.find("no column named 'class'"), std::string::npos) << message;
}

TEST(CsvDataset, TargetIndexOutOfRangeIsAConfigError) {
  CsvFixture data(ten_labelled_rows());
  Params params = data.params();
  params.set("target_index", std::int64_t{5});
  std::string message = load_error<ConfigError>("csv", params);
  EXPECT_NE(message.find("dataset.target_index"), std::string::npos) << message;
  EXPECT_NE(message.find("3 columns"), std::string::npos) << message;
}

TEST(CsvDataset, BadParametersAreConfigErrors) {
  CsvFixture data(ten_labelled_rows());
  Params long_delimiter = data.params();
  long_delimiter.set("delimiter", std::string(";;"));
  EXPECT_NE(message_of<ConfigError>([&] { make_dataset("csv", long_delimiter); }).find("dataset.delimiter"),
            std::string::npos);
  Params bad_task = data.params();
  bad_task.set("task", std::string("ranking"));
  EXPECT_NE(message_of<ConfigError>([&] { make_dataset("csv", bad_task); }).find("unknown task 'ranking'"),
            std::string::npos);
  Params names_without_header = data.params();
  names_without_header.set("header", false);
  names_without_header.set("target", std::string("label"));
  EXPECT_NE(message_of<ConfigError>([&] { make_dataset("csv", names_without_header); }).find("needs header"),
            std::string::npos);
  Params no_training_rows = data.params();
  no_training_rows.set("test_fraction", 0.5);
  no_training_rows.set("validation_fraction", 0.5);
  EXPECT_NE(message_of<ConfigError>([&] {
              make_dataset("csv", no_training_rows);
            }).find("dataset.validation_fraction"),
            std::string::npos);
}

}  // namespace
}  // namespace structlab::test
