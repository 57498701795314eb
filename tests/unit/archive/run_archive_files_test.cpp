// What lies on disk while and after a run archive is written, and how archive_state() reads it.

#include <gtest/gtest.h>

#include <filesystem>

#include "archive_samples.hpp"
#include "structlab/archive/run_archive.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using archive::ArchiveState;

class ArchiveFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("archive-files");
    path_ = fs::path(dir_) / "exp" / "exp-0123.h5";
    partial_ = path_;
    partial_ += ".partial";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
  fs::path path_;
  fs::path partial_;
};

TEST_F(ArchiveFiles, WritesUnderPartialNameAndRenamesOnFinish) {
  archive::RunArchiveWriter writer(path_);
  EXPECT_EQ(writer.final_path(), path_);
  writer.write_spec("a: 1\n");
  EXPECT_TRUE(fs::exists(partial_));
  EXPECT_FALSE(fs::exists(path_));
  writer.finish("completed", "", "2024-01-01T00:00:00Z");
  EXPECT_TRUE(fs::exists(path_));
  EXPECT_FALSE(fs::exists(partial_));
}

TEST_F(ArchiveFiles, DestroyingAnUnfinishedWriterRemovesThePartialFile) {
  {
    archive::RunArchiveWriter writer(path_);
    writer.write_stage(testing::sample_stage(0));
    ASSERT_TRUE(fs::exists(partial_));
  }
  EXPECT_FALSE(fs::exists(partial_));
  EXPECT_FALSE(fs::exists(path_));
  EXPECT_EQ(archive::archive_state(path_), ArchiveState::missing);
}

TEST_F(ArchiveFiles, AStalePartialFileIsReplaced) {
  fs::create_directories(path_.parent_path());
  testing::write_bytes(partial_, "left behind by a killed run");
  testing::write_sample_archive(path_);
  EXPECT_FALSE(fs::exists(partial_));
  EXPECT_EQ(archive::archive_state(path_), ArchiveState::completed);
}

TEST_F(ArchiveFiles, FinishingReplacesAnOlderArchive) {
  testing::write_sample_archive(path_, "failed");
  ASSERT_EQ(archive::archive_state(path_), ArchiveState::failed);
  testing::write_sample_archive(path_, "completed");
  EXPECT_EQ(archive::archive_state(path_), ArchiveState::completed);
}

TEST_F(ArchiveFiles, StateIsMissingCompletedFailedOrUnreadable) {
  EXPECT_EQ(archive::archive_state(path_), ArchiveState::missing);
  testing::write_sample_archive(path_, "failed");
  EXPECT_EQ(archive::archive_state(path_), ArchiveState::failed);
  EXPECT_EQ(archive::read_archive(path_).attributes.at("message"), "loss became NaN in epoch 2");

  testing::write_bytes(path_, "this is not HDF5 at all, just garbage bytes\n");
  EXPECT_EQ(archive::archive_state(path_), ArchiveState::unreadable);
  testing::write_bytes(path_, "");
  EXPECT_EQ(archive::archive_state(path_), ArchiveState::unreadable);
  EXPECT_EQ(archive::archive_state(fs::path(dir_)), ArchiveState::unreadable);  // a directory
}

TEST_F(ArchiveFiles, TruncatedArchiveIsUnreadable) {
  testing::write_sample_archive(path_);
  fs::resize_file(path_, fs::file_size(path_) / 2);
  EXPECT_EQ(archive::archive_state(path_), ArchiveState::unreadable);
}

TEST_F(ArchiveFiles, H5dumpReadsTheWrittenArchive) {
  if (testing::run_process("command -v h5dump").exit_code != 0)
    GTEST_SKIP() << "h5dump (hdf5-tools) not installed";
  testing::write_sample_archive(path_);
  auto header = testing::run_process("h5dump -H '" + path_.string() + "'");
  ASSERT_EQ(header.exit_code, 0) << header.err;
  EXPECT_NE(header.out.find("GROUP \"stages\""), std::string::npos) << header.out;
  EXPECT_NE(header.out.find("DATASET \"history\""), std::string::npos) << header.out;
  // the whole file, data included (every filter and type must be readable by the reference tool)
  auto data = testing::run_process("h5dump '" + path_.string() + "'");
  ASSERT_EQ(data.exit_code, 0) << data.err;
  EXPECT_NE(data.out.find("\"test_accuracy\""), std::string::npos);
  // graph arrays are chunked and deflated
  auto properties = testing::run_process("h5dump -p -H -d /structure/edges '" + path_.string() + "'");
  ASSERT_EQ(properties.exit_code, 0) << properties.err;
  EXPECT_NE(properties.out.find("DEFLATE"), std::string::npos) << properties.out;
  EXPECT_NE(properties.out.find("CHUNKED"), std::string::npos) << properties.out;
}

}  // namespace
}  // namespace structlab
