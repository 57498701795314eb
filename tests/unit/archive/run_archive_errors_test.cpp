// The saboteur's view: broken files and bad records give an ArchiveError naming the path and the object.

#include <gtest/gtest.h>
#include <hdf5.h>

#include <filesystem>
#include <fstream>

#include "archive_samples.hpp"
#include "structlab/archive/run_archive.hpp"
#include "structlab/error.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;

// The message of the ArchiveError that \p action throws; fails the test when it throws nothing or another
// type.
template <class Action>
std::string archive_error_of(Action&& action) {
  try {
    action();
  } catch (const ArchiveError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected ArchiveError, got: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected ArchiveError, nothing was thrown";
  return "";
}

#define EXPECT_MENTIONS(message, text)               \
  EXPECT_NE((message).find(text), std::string::npos) \
      << "message: " << (message) << "\nexpected to mention: " << (text)

// A hand-made HDF5 file with the given root attributes, for files structlab itself would never write.
void write_hdf5_with_root_attributes(const fs::path& path, std::int64_t format, const char* status) {
  hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  hid_t scalar = H5Screate(H5S_SCALAR);
  if (format > 0) {
    hid_t attribute = H5Acreate2(file, "archive_format", H5T_STD_I64LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attribute, H5T_NATIVE_INT64, &format);
    H5Aclose(attribute);
  }
  if (status != nullptr) {
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    hid_t attribute = H5Acreate2(file, "status", type, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attribute, type, &status);
    H5Aclose(attribute);
    H5Tclose(type);
  }
  H5Sclose(scalar);
  H5Fclose(file);
}

class ArchiveErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("archive-errors");
    path_ = fs::path(dir_) / "run.h5";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
  fs::path path_;
};

TEST_F(ArchiveErrors, MissingFileNamesThePath) {
  std::string message = archive_error_of([&] { archive::read_archive(path_); });
  EXPECT_MENTIONS(message, path_.string());
  EXPECT_MENTIONS(message, "no such file");
}

TEST_F(ArchiveErrors, GarbageAndEmptyFilesAreNotHdf5) {
  testing::write_bytes(path_, std::string(4096, 'x'));
  std::string message = archive_error_of([&] { archive::read_archive(path_); });
  EXPECT_MENTIONS(message, path_.string());
  EXPECT_MENTIONS(message, "not an HDF5 file");
  testing::write_bytes(path_, "");
  EXPECT_MENTIONS(archive_error_of([&] { archive::read_archive(path_); }), "not an HDF5 file");
}

TEST_F(ArchiveErrors, TruncatedArchiveIsAnArchiveErrorNotACrash) {
  testing::write_sample_archive(path_);
  auto size = fs::file_size(path_);
  for (auto keep : {size - 1, size / 2, std::uintmax_t{600}}) {
    fs::resize_file(path_, keep);
    std::string message = archive_error_of([&] { archive::read_archive(path_); });
    EXPECT_MENTIONS(message, path_.string());
    EXPECT_MENTIONS(message, "truncated");
  }
  // only the signature left: no superblock to say how long the file should be
  fs::resize_file(path_, 8);
  EXPECT_MENTIONS(archive_error_of([&] { archive::read_archive(path_); }), path_.string());
}

TEST_F(ArchiveErrors, AnHdf5FileThatIsNotARunArchiveIsNamedAsSuch) {
  write_hdf5_with_root_attributes(path_, 0, nullptr);
  std::string message = archive_error_of([&] { archive::read_archive(path_); });
  EXPECT_MENTIONS(message, path_.string());
  EXPECT_MENTIONS(message, "not a structlab run archive");
  EXPECT_EQ(archive::archive_state(path_), archive::ArchiveState::unreadable);
}

TEST_F(ArchiveErrors, ANewerFormatIsRefusedNamingBothVersions) {
  write_hdf5_with_root_attributes(path_, 99, "completed");
  std::string message = archive_error_of([&] { archive::read_archive(path_); });
  EXPECT_MENTIONS(message, "archive format 99");
  EXPECT_MENTIONS(message, "format 1");
  EXPECT_EQ(archive::archive_state(path_), archive::ArchiveState::unreadable);
}

TEST_F(ArchiveErrors, MissingPartsAreNamed) {
  write_hdf5_with_root_attributes(path_, 1, "completed");
  EXPECT_EQ(archive::archive_state(path_), archive::ArchiveState::completed);
  std::string message = archive_error_of([&] { archive::read_archive(path_); });
  EXPECT_MENTIONS(message, path_.string());
  EXPECT_MENTIONS(message, "/spec is missing");
}

TEST_F(ArchiveErrors, AStatusOtherThanCompletedOrFailedIsUnreadable) {
  write_hdf5_with_root_attributes(path_, 1, "running");
  EXPECT_EQ(archive::archive_state(path_), archive::ArchiveState::unreadable);
}

TEST_F(ArchiveErrors, ACorruptCompressedChunkNamesItsDataset) {
  testing::write_sample_archive(path_);
  // find the first chunk of a stage's (deflated) edge array and overwrite its compressed bytes
  haddr_t address = 0;
  hsize_t chunk_size = 0;
  {
    hid_t file = H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t dataset = H5Dopen2(file, "/stages/01/structure/edges", H5P_DEFAULT);
    hsize_t origin[2] = {0, 0};
    unsigned filter_mask = 0;
    ASSERT_GE(H5Dget_chunk_info_by_coord(dataset, origin, &filter_mask, &address, &chunk_size), 0);
    H5Dclose(dataset);
    H5Fclose(file);
  }
  ASSERT_GT(chunk_size, 0u);
  {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(address));
    file << std::string(chunk_size, '\xff');
  }
  std::string message = archive_error_of([&] { archive::read_archive(path_); });
  EXPECT_MENTIONS(message, path_.string());
  EXPECT_MENTIONS(message, "/stages/01/structure/edges");
}

TEST_F(ArchiveErrors, AnUncreatableDirectoryNamesThePath) {
  testing::write_bytes(fs::path(dir_) / "file", "a file, not a directory");
  fs::path inside_a_file = fs::path(dir_) / "file" / "exp" / "run.h5";
  std::string message = archive_error_of([&] { archive::RunArchiveWriter writer(inside_a_file); });
  EXPECT_MENTIONS(message, inside_a_file.string());
}

class ArchiveWriterErrors : public ArchiveErrors {
 protected:
  void SetUp() override {
    ArchiveErrors::SetUp();
    writer_ = std::make_unique<archive::RunArchiveWriter>(path_);
  }
  void TearDown() override {
    writer_.reset();
    ArchiveErrors::TearDown();
  }
  std::unique_ptr<archive::RunArchiveWriter> writer_;
};

TEST_F(ArchiveWriterErrors, AMaskOfAnotherShapeNamesTheLayerAndWritesNothing) {
  archive::StageRecord stage = testing::sample_stage(0);
  stage.layers[1].mask = torch::ones({2, 2}, torch::kBool);
  std::string message = archive_error_of([&] { writer_->write_stage(stage); });
  EXPECT_MENTIONS(message, path_.string());
  EXPECT_MENTIONS(message, "layer 'alpha'");
  EXPECT_MENTIONS(message, "mask");
  // the failed stage left nothing behind: the corrected one can be written under the same index
  writer_->write_stage(testing::sample_stage(0));
}

TEST_F(ArchiveWriterErrors, RepeatedStageLayerSpecOrStructureIsRefused) {
  writer_->write_stage(testing::sample_stage(1));
  EXPECT_MENTIONS(archive_error_of([&] { writer_->write_stage(testing::sample_stage(1)); }), "/stages/01");
  archive::StageRecord twins = testing::sample_stage(2);
  twins.layers[1].name = twins.layers[0].name;
  EXPECT_MENTIONS(archive_error_of([&] { writer_->write_stage(twins); }), "two layers named 'zeta_first'");
  writer_->write_spec("a: 1");
  EXPECT_MENTIONS(archive_error_of([&] { writer_->write_spec("a: 2"); }), "/spec already exists");
  writer_->write_structure(testing::sample_graph(), {});
  EXPECT_MENTIONS(archive_error_of([&] { writer_->write_structure(testing::sample_graph(), {}); }),
                  "/structure");
}

TEST_F(ArchiveWriterErrors, BadRecordsAreRefusedByName) {
  archive::StageRecord negative = testing::sample_stage(0);
  negative.index = -1;
  EXPECT_MENTIONS(archive_error_of([&] { writer_->write_stage(negative); }), "negative");
  archive::StageRecord slash = testing::sample_stage(0);
  slash.layers[0].name = "fc/1";
  EXPECT_MENTIONS(archive_error_of([&] { writer_->write_stage(slash); }), "layer 'fc/1'");
  archive::StageRecord shadowing = testing::sample_stage(0);
  shadowing.metrics["description"] = 1.0;
  EXPECT_MENTIONS(archive_error_of([&] { writer_->write_stage(shadowing); }), "'description'");
  EXPECT_MENTIONS(archive_error_of([&] {
                    writer_->write_structure(testing::sample_graph(), {{"num_vertices", 1}});
                  }),
                  "'num_vertices'");
  graph::LayeredGraph cycle(3, {{0, 1}, {1, 2}, {2, 0}});
  std::string message = archive_error_of([&] { writer_->write_structure(cycle, {}); });
  EXPECT_MENTIONS(message, "/structure");
  EXPECT_MENTIONS(message, "cycle");
  archive::RunAttributes twice = testing::sample_attributes();
  twice.plugins.push_back(twice.plugins.front());
  EXPECT_MENTIONS(archive_error_of([&] { writer_->write_run_attributes(twice); }),
                  "two plugins with the role 'structure'");
}

TEST_F(ArchiveWriterErrors, FinishNeedsAKnownStatusAndEndsTheWriter) {
  EXPECT_MENTIONS(archive_error_of([&] { writer_->finish("done", "", ""); }), "'done'");
  writer_->finish("completed", "", "");
  std::string message = archive_error_of([&] { writer_->append_history(testing::sample_row(0, 1)); });
  EXPECT_MENTIONS(message, path_.string());
  EXPECT_MENTIONS(message, "after finish()");
  EXPECT_TRUE(fs::exists(path_));
}

}  // namespace
}  // namespace structlab
