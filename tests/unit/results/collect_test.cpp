// collect: reading archive metadata, finding archives, the run table and its CSV/JSON output.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "archive/hdf5_io.hpp"
#include "structlab/archive/archive_metadata.hpp"
#include "structlab/error.hpp"
#include "structlab/results/collected_run.hpp"
#include "structlab/results/run_table.hpp"
#include "structlab/results/table_format.hpp"
#include "unit/results/collect_samples.hpp"

namespace fs = std::filesystem;
using namespace structlab;
using structlab::testing::SampleRun;
using structlab::testing::write_sample_run;

namespace {

class CollectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / (std::string("structlab-collect-") + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

std::size_t column_of(const results::RunTable& table, const std::string& name) {
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    if (table.columns[c].name == name) return c;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

std::vector<std::string> column_names(const results::RunTable& table) {
  std::vector<std::string> names;
  for (const results::Column& column : table.columns) names.push_back(column.name);
  return names;
}

// Opens \p path for writing with HDF5 and runs \p change on the root group.
template <typename Change>
void change_archive(const fs::path& path, Change&& change) {
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  change(file);
  H5Fclose(file);
}

}  // namespace

TEST_F(CollectTest, MetadataHasAttributesSpecStagesAndHistoryButNeedsNoWeights) {
  fs::path path = dir_ / "grid-0000000001.h5";
  write_sample_run(path, SampleRun{});
  // without its weight datasets a full read fails, but the metadata does not look at them
  change_archive(path, [](hid_t file) {
    ASSERT_GE(H5Ldelete(file, "/stages/00/layers/main_1/weight", H5P_DEFAULT), 0);
    ASSERT_GE(H5Ldelete(file, "/stages/01/layers/main_1/mask", H5P_DEFAULT), 0);
  });
  EXPECT_THROW(archive::read_archive(path), ArchiveError);

  archive::ArchiveMetadata metadata = archive::read_archive_metadata(path, {true, true});
  EXPECT_EQ(metadata.attributes.at("run_id"), "grid-0000000001");
  EXPECT_EQ(metadata.attributes.at("status"), "completed");
  EXPECT_NE(metadata.spec_yaml.find("structure:"), std::string::npos);
  EXPECT_EQ(metadata.structure_metrics.at("average_clustering"), 0.25);
  EXPECT_EQ(metadata.structure_metrics.at("num_vertices"), 4.0);
  ASSERT_EQ(metadata.stages.size(), 2u);
  EXPECT_EQ(metadata.stages[1].description, "pruned level 1");
  EXPECT_EQ(metadata.stages[1].metrics.at("active_weights"), 3.0);
  EXPECT_EQ(metadata.stages[1].structure_metrics.at("edges"), 2.0);
  ASSERT_EQ(metadata.stages[1].layers.size(), 1u);
  EXPECT_EQ(metadata.stages[1].layers[0].active, 3);
  EXPECT_EQ(metadata.stages[1].layers[0].total, 6);
  EXPECT_EQ(metadata.stages[1].structure.edges.size(), 2u);
  EXPECT_EQ(metadata.structure.edges.size(), 4u);
  EXPECT_EQ(metadata.history.size(), 4u);
}

TEST_F(CollectTest, MetadataIgnoresGroupsItDoesNotKnow) {
  fs::path path = dir_ / "grid-0000000001.h5";
  write_sample_run(path, SampleRun{});
  change_archive(path, [](hid_t file) {
    // what the engine may add: every parameter per stage, a checkpoint group, an interrupted status
    hid_t parameters = H5Gcreate2(file, "/stages/00/parameters", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(H5Gcreate2(parameters, "norm.weight", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Gclose(parameters);
    H5Gclose(H5Gcreate2(file, "/checkpoint", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    archive::detail::write_string_attribute(file, "status", "interrupted");
  });
  results::CollectedRun run = results::read_collected_run(path);
  EXPECT_EQ(run.status, "interrupted");
  EXPECT_EQ(run.metadata.stages.size(), 2u);
}

TEST_F(CollectTest, NotAnArchiveIsAnErrorNamingThePath) {
  fs::path text = dir_ / "notes.h5";
  std::ofstream(text) << "not hdf5";
  try {
    archive::read_archive_metadata(text);
    FAIL() << "expected ArchiveError";
  } catch (const ArchiveError& e) {
    EXPECT_NE(std::string(e.what()).find(text.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos) << e.what();
  }
}

TEST_F(CollectTest, FindsArchivesRecursivelyAndWarnsAboutFilesThatAreNone) {
  write_sample_run(dir_ / "a" / "grid-0000000001.h5", SampleRun{});
  SampleRun second;
  second.run_id = "grid-0000000002";
  write_sample_run(dir_ / "a" / "b" / "grid-0000000002.h5", second);
  std::ofstream(dir_ / "a" / "broken.h5") << "garbage";
  std::ofstream(dir_ / "a" / "report.html") << "<html>";  // not archive-like: not even looked at
  results::Collection collection = results::collect_runs({dir_});
  ASSERT_EQ(collection.runs.size(), 2u);
  // in path order: a/b/grid-0000000002.h5 sorts before a/grid-0000000001.h5
  EXPECT_EQ(collection.runs[0].run_id, "grid-0000000002");
  EXPECT_EQ(collection.runs[1].run_id, "grid-0000000001");
  ASSERT_EQ(collection.warnings.size(), 1u);
  EXPECT_NE(collection.warnings[0].find("broken.h5"), std::string::npos) << collection.warnings[0];
  EXPECT_THROW(results::collect_runs({dir_ / "missing"}), ConfigError);
}

TEST_F(CollectTest, PartialFailedAndInterruptedRunsKeepTheirStatus) {
  SampleRun failed;
  failed.run_id = "grid-00000000ff";
  failed.status = "failed";
  failed.message = "loss became NaN in epoch 2, \"stage\" 00";
  failed.stages = 0;
  write_sample_run(dir_ / "grid-00000000ff.h5", failed);
  SampleRun partial;
  partial.run_id = "grid-00000000aa";
  write_sample_run(dir_ / "grid-00000000aa.h5", partial);
  fs::rename(dir_ / "grid-00000000aa.h5", dir_ / "grid-00000000aa.h5.partial");
  SampleRun checkpoint;
  checkpoint.run_id = "grid-00000000cc";
  write_sample_run(dir_ / "grid-00000000cc.h5", checkpoint);
  fs::rename(dir_ / "grid-00000000cc.h5", dir_ / "grid-00000000cc.ckpt");
  std::ofstream(dir_ / "grid-00000000dd.h5.partial") << "half a file";  // killed before HDF5 wrote a header
  // a finished archive supersedes the partial file of its own run
  write_sample_run(dir_ / "grid-0000000001.h5", SampleRun{});
  std::ofstream(dir_ / "grid-0000000001.h5.partial") << "stale";

  results::Collection collection = results::collect_runs({dir_});
  EXPECT_TRUE(collection.warnings.empty());
  std::map<std::string, const results::CollectedRun*> by_id;
  for (const results::CollectedRun& run : collection.runs) by_id[run.run_id] = &run;
  ASSERT_EQ(by_id.size(), 5u);
  EXPECT_EQ(by_id["grid-00000000ff"]->status, "failed");
  EXPECT_EQ(by_id["grid-00000000aa"]->status, "partial");
  EXPECT_EQ(by_id["grid-00000000cc"]->status, "interrupted");
  EXPECT_EQ(by_id["grid-00000000dd"]->status, "partial");
  EXPECT_EQ(by_id["grid-00000000dd"]->experiment, "grid");
  EXPECT_NE(by_id["grid-00000000dd"]->message.find("not an HDF5 file"), std::string::npos);
  EXPECT_EQ(by_id["grid-0000000001"]->status, "completed");

  // every run has at least one row; the failed one without stages has null stage columns
  results::RunTable table = results::build_run_table(collection.runs);
  std::size_t status = column_of(table, "status");
  std::size_t stage = column_of(table, "stage");
  int failed_rows = 0;
  for (const auto& row : table.rows) {
    if (std::get<std::string>(row[status]) != "failed") continue;
    ++failed_rows;
    EXPECT_TRUE(std::holds_alternative<std::monostate>(row[stage]));
  }
  EXPECT_EQ(failed_rows, 1);
  std::ostringstream csv;
  results::write_csv(csv, table);
  EXPECT_NE(csv.str().find("\"loss became NaN in epoch 2, \"\"stage\"\" 00\""), std::string::npos)
      << csv.str();
}

TEST_F(CollectTest, ColumnsComeInTheDocumentedOrder) {
  write_sample_run(dir_ / "grid-0000000001.h5", SampleRun{});
  results::RunTable table = results::build_run_table(results::collect_runs({dir_}).runs);
  std::vector<std::string> expected{"run_id",
                                    "experiment",
                                    "seed",
                                    "status",
                                    "message",
                                    "spec_hash",
                                    "grid_point",
                                    "path",
                                    "structure.k",
                                    "structure.p",
                                    "training.lr",
                                    "graph.average_clustering",
                                    "graph.layer_width_2",
                                    "graph.layer_width_10",
                                    "graph.layers",
                                    "graph.num_vertices",
                                    "stage",
                                    "stage_description",
                                    "test_loss",
                                    "test_accuracy",
                                    "active_weights",
                                    "density",
                                    "zz_custom",
                                    "stage_graph.edges",
                                    "stage_graph.num_vertices",
                                    "final_epoch",
                                    "seconds"};
  EXPECT_EQ(column_names(table), expected);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(std::get<std::int64_t>(table.rows[1][column_of(table, "stage")]), 1);
  EXPECT_EQ(std::get<std::int64_t>(table.rows[1][column_of(table, "structure.k")]), 4);
  EXPECT_EQ(std::get<double>(table.rows[1][column_of(table, "structure.p")]), 0.1);
  EXPECT_EQ(std::get<double>(table.rows[1][column_of(table, "density")]), 0.5);
  EXPECT_EQ(std::get<std::int64_t>(table.rows[1][column_of(table, "final_epoch")]), 2);
  EXPECT_EQ(std::get<double>(table.rows[1][column_of(table, "seconds")]), 0.5);

  results::RunTable last =
      results::build_run_table(results::collect_runs({dir_}).runs, results::StageRows::last);
  ASSERT_EQ(last.rows.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(last.rows[0][column_of(last, "stage")]), 1);
}

TEST_F(CollectTest, GridKeysAreTheSpecKeysThatVaryWithinAnExperiment) {
  int id = 0;
  for (const char* p : {"0.1", "0.9"}) {
    for (std::uint64_t seed : {1, 2}) {
      SampleRun run;
      run.run_id = "grid-000000000" + std::to_string(++id);
      run.seed = seed;
      run.spec = std::string("experiment: grid\nseeds: [") + std::to_string(seed) +
                 "]\nstructure:\n  p: " + p + "\n  k: 4\ntraining:\n  lr: 0.01\n";
      write_sample_run(dir_ / (run.run_id + ".h5"), run);
    }
  }
  SampleRun alone;  // another experiment: its keys are not the grid's
  alone.run_id = "other-0000000009";
  alone.spec = "experiment: other\nseeds: [1]\ntraining:\n  lr: 0.5\n";
  write_sample_run(dir_ / "other-0000000009.h5", alone);

  results::Collection collection = results::collect_runs({dir_});
  ASSERT_EQ(collection.runs.size(), 5u);
  for (const results::CollectedRun& run : collection.runs) {
    if (run.experiment == "grid") {
      ASSERT_EQ(run.grid_point.size(), 1u) << run.run_id;
      EXPECT_EQ(run.grid_point[0].first, "structure.p");
    } else {
      EXPECT_TRUE(run.grid_point.empty());
    }
  }
  results::RunTable table = results::build_run_table(collection.runs);
  EXPECT_TRUE(table.columns[column_of(table, "structure.p")].grid);
  EXPECT_FALSE(table.columns[column_of(table, "training.lr")].grid);
  EXPECT_EQ(std::get<std::string>(table.rows[0][column_of(table, "grid_point")]), "structure.p=0.1");
}

TEST_F(CollectTest, JsonListsColumnsWithTypesAndRowsInColumnOrder) {
  write_sample_run(dir_ / "grid-0000000001.h5", SampleRun{});
  std::ofstream(dir_ / "junk.h5") << "junk";
  results::Collection collection = results::collect_runs({dir_});
  results::RunTable table = results::build_run_table(collection.runs);
  std::ostringstream out;
  results::write_json(out, table, collection.warnings);
  nlohmann::json document = nlohmann::json::parse(out.str());
  ASSERT_EQ(document["columns"].size(), table.columns.size());
  EXPECT_EQ(document["columns"][2]["name"], "seed");
  EXPECT_EQ(document["columns"][2]["type"], "integer");
  EXPECT_EQ(document["rows"].size(), 2u);
  EXPECT_EQ(document["rows"][0]["seed"], 1);
  EXPECT_EQ(document["rows"][0]["message"], nullptr);
  EXPECT_EQ(document["warnings"].size(), 1u);
  // keys in column order, so a reader sees run_id first
  EXPECT_EQ(out.str().find("{\"run_id\":"), out.str().find("\"rows\":[") + 9);
  std::ostringstream lines;
  results::write_jsonl(lines, table);
  std::string first = lines.str().substr(0, lines.str().find('\n'));
  EXPECT_EQ(nlohmann::json::parse(first)["stage"], 0);
  EXPECT_THROW(results::parse_table_format("xlsx"), ConfigError);
}

TEST_F(CollectTest, StageSeriesIsAColumnOnlyWhereSomeRunHasControls) {
  const fs::path path = dir_ / "grid-0000000001.h5";
  write_sample_run(path, SampleRun{});
  results::RunTable plain = results::build_run_table(results::collect_runs({dir_}).runs);
  const auto names = column_names(plain);
  EXPECT_EQ(std::find(names.begin(), names.end(), "stage_series"), names.end());

  change_archive(path, [](hid_t file) {
    hid_t stage = H5Gopen2(file, "/stages/01", H5P_DEFAULT);
    ASSERT_GE(stage, 0);
    archive::detail::write_string_attribute(stage, "series", "ticket");
    H5Gclose(stage);
  });
  const archive::ArchiveMetadata metadata = archive::read_archive_metadata(path, {false, false});
  ASSERT_EQ(metadata.stages.size(), 2u);
  EXPECT_EQ(metadata.stages[0].series, "");
  EXPECT_EQ(metadata.stages[1].series, "ticket");
  results::RunTable table = results::build_run_table(results::collect_runs({dir_}).runs);
  const std::size_t series = column_of(table, "stage_series");
  EXPECT_EQ(series, column_of(table, "stage_description") + 1);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(std::get<std::string>(table.rows[0][series]), "");
  EXPECT_EQ(std::get<std::string>(table.rows[1][series]), "ticket");
}
