// The `idx` dataset plugin on small IDX files written here (plain, gzipped, broken on purpose) and once on
// the real Fashion-MNIST.

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "dataset_test_support.hpp"
#include "structlab/error.hpp"

namespace structlab::test {
namespace {

using plugin::DatasetBundle;

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

// An IDX image file: sample i has every pixel equal to first_pixel + i (so samples can be told apart).
std::vector<std::uint8_t> idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols,
                                     std::uint8_t first_pixel = 0) {
  std::vector<std::uint8_t> out;
  put_u32(out, 2051);
  put_u32(out, count);
  put_u32(out, rows);
  put_u32(out, cols);
  for (std::uint32_t i = 0; i < count; ++i)
    out.insert(out.end(), rows * cols, static_cast<std::uint8_t>(first_pixel + i));
  return out;
}

std::vector<std::uint8_t> idx_labels(const std::vector<std::uint8_t>& labels) {
  std::vector<std::uint8_t> out;
  put_u32(out, 2049);
  put_u32(out, static_cast<std::uint32_t>(labels.size()));
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

std::vector<std::uint8_t> cyclic_labels(std::size_t count, int classes) {
  std::vector<std::uint8_t> labels;
  for (std::size_t i = 0; i < count; ++i) labels.push_back(static_cast<std::uint8_t>(i % classes));
  return labels;
}

// A directory holding the four files under their standard names: `train` 3x2 training images (pixels 0, 1,
// ...) and `test` test images (pixels 200, 201, ...), labels cycling through 0..3.
struct IdxFixture {
  ScratchDir dir;
  explicit IdxFixture(std::uint32_t train = 20, std::uint32_t test = 4, bool gzipped = false) {
    write("train-images-idx3-ubyte", idx_images(train, 3, 2), gzipped);
    write("train-labels-idx1-ubyte", idx_labels(cyclic_labels(train, 4)), gzipped);
    write("t10k-images-idx3-ubyte", idx_images(test, 3, 2, 200), gzipped);
    write("t10k-labels-idx1-ubyte", idx_labels(cyclic_labels(test, 4)), gzipped);
  }
  void write(const std::string& name, const std::vector<std::uint8_t>& bytes, bool gzipped = false) const {
    std::error_code ignored;
    std::filesystem::remove(dir / name, ignored);
    std::filesystem::remove(dir / (name + ".gz"), ignored);
    if (gzipped) {
      write_file(dir / (name + ".gz"), gzip_stored(bytes));
    } else {
      write_file(dir / name, bytes);
    }
  }
  Params params() const {
    Params params("dataset 'idx'", "dataset");
    params.set("path", dir.path().string());
    return params;
  }
};

DatasetBundle load(const Params& params, std::uint64_t seed = 1) {
  return make_dataset("idx", params)->load(seed);
}

TEST(IdxDataset, LoadsImagesScaledToUnitIntervalAndLabels) {
  IdxFixture data(5, 2);
  DatasetBundle bundle = load(data.params());

  EXPECT_EQ(bundle.train.inputs.sizes(), (std::vector<std::int64_t>{5, 1, 3, 2}));
  EXPECT_EQ(bundle.train.inputs.scalar_type(), torch::kFloat32);
  EXPECT_FLOAT_EQ(bundle.train.inputs[3][0][2][1].item<float>(), 3.0f / 255.0f);
  EXPECT_EQ(bundle.train.targets.scalar_type(), torch::kInt64);
  EXPECT_TRUE(torch::equal(bundle.train.targets, torch::tensor({0, 1, 2, 3, 0}, torch::kInt64)));
  EXPECT_EQ(bundle.test.inputs.sizes(), (std::vector<std::int64_t>{2, 1, 3, 2}));
  EXPECT_FLOAT_EQ(bundle.test.inputs[1][0][0][0].item<float>(), 201.0f / 255.0f);
  EXPECT_EQ(bundle.validation.size(), 0);
  EXPECT_EQ(bundle.input_shape, (std::vector<std::int64_t>{1, 3, 2}));
  EXPECT_EQ(bundle.num_outputs, 10);
  EXPECT_EQ(bundle.task, plugin::Task::classification);
  EXPECT_NE(bundle.description.find(data.dir.path().string()), std::string::npos) << bundle.description;
}

TEST(IdxDataset, SequenceGivesEachImageRowByRow) {
  IdxFixture data(5, 2);
  Params params = data.params();
  params.set("sequence", true);
  DatasetBundle bundle = load(params);
  EXPECT_EQ(bundle.input_shape, (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(bundle.train.inputs.sizes(), (std::vector<std::int64_t>{5, 3, 2}));
  EXPECT_EQ(bundle.test.inputs.sizes(), (std::vector<std::int64_t>{2, 3, 2}));
  // step 2 of image 3 is its third row
  EXPECT_FLOAT_EQ(bundle.train.inputs[3][2][1].item<float>(), 3.0f / 255.0f);
  EXPECT_TRUE(torch::equal(bundle.train.inputs, load(data.params()).train.inputs.squeeze(1)));
  EXPECT_NE(bundle.description.find("row by row as sequences of 3 steps of 2 features"), std::string::npos)
      << bundle.description;
}

TEST(IdxDataset, NumClassesZeroTakesTheLargestLabel) {
  IdxFixture data(5, 2);
  Params params = data.params();
  params.set("num_classes", std::int64_t{0});
  EXPECT_EQ(load(params).num_outputs, 4);
}

TEST(IdxDataset, ReadsGzippedFilesLikePlainOnes) {
  IdxFixture plain(6, 3);
  IdxFixture gzipped(6, 3, /*gzipped=*/true);
  ASSERT_FALSE(std::filesystem::exists(gzipped.dir / "train-images-idx3-ubyte"));
  DatasetBundle a = load(plain.params());
  DatasetBundle b = load(gzipped.params());
  EXPECT_TRUE(torch::equal(a.train.inputs, b.train.inputs));
  EXPECT_TRUE(torch::equal(a.train.targets, b.train.targets));
  EXPECT_TRUE(torch::equal(a.test.inputs, b.test.inputs));
}

TEST(IdxDataset, FileNamesMayBeGivenWithGzSuffix) {
  IdxFixture data(4, 2);
  Params params = data.params();
  params.set("train_images", std::string("train-images-idx3-ubyte.gz"));  // only the plain file exists
  EXPECT_EQ(load(params).train.size(), 4);
}

TEST(IdxDataset, LimitsKeepTheFirstSamples) {
  IdxFixture data(10, 6);
  Params params = data.params();
  params.set("limit_train", std::int64_t{3});
  params.set("limit_test", std::int64_t{2});
  DatasetBundle bundle = load(params);
  ASSERT_EQ(bundle.train.size(), 3);
  ASSERT_EQ(bundle.test.size(), 2);
  EXPECT_FLOAT_EQ(bundle.train.inputs[2][0][0][0].item<float>(), 2.0f / 255.0f);
  EXPECT_FLOAT_EQ(bundle.test.inputs[1][0][0][0].item<float>(), 201.0f / 255.0f);
}

// Which training samples ended up in a split, recognised by their pixel value.
std::set<int> sample_ids(const plugin::DataSplit& split) {
  std::set<int> ids;
  for (std::int64_t i = 0; i < split.size(); ++i) {
    ids.insert(static_cast<int>(std::lround(split.inputs[i][0][0][0].item<float>() * 255.0f)));
  }
  return ids;
}

TEST(IdxDataset, ValidationSplitIsSeededAndDisjoint) {
  IdxFixture data(20, 2);
  Params params = data.params();
  params.set("validation_fraction", 0.25);
  DatasetBundle first = load(params, 7);
  DatasetBundle again = load(params, 7);
  DatasetBundle other = load(params, 8);

  ASSERT_EQ(first.validation.size(), 5);
  ASSERT_EQ(first.train.size(), 15);
  std::set<int> validation = sample_ids(first.validation);
  std::set<int> train = sample_ids(first.train);
  EXPECT_EQ(validation.size(), 5u);
  std::set<int> all = train;
  all.insert(validation.begin(), validation.end());
  EXPECT_EQ(all.size(), 20u) << "every sample is in exactly one of train and validation";
  EXPECT_EQ(sample_ids(again.validation), validation);
  EXPECT_NE(sample_ids(other.validation), validation);
  // labels travel with their images: sample i has label i % 4
  for (std::int64_t i = 0; i < first.validation.size(); ++i) {
    auto id = std::lround(first.validation.inputs[i][0][0][0].item<float>() * 255.0f);
    EXPECT_EQ(first.validation.targets[i].item<std::int64_t>(), id % 4);
  }
}

TEST(IdxDataset, NormalizeUsesTrainingStatisticsOrGivenOnes) {
  IdxFixture data(20, 4);
  Params params = data.params();
  params.set("normalize", true);
  DatasetBundle from_training = load(params);
  EXPECT_NEAR(from_training.train.inputs.mean().item<double>(), 0.0, 1e-5);
  EXPECT_NEAR(from_training.train.inputs.std().item<double>(), 1.0, 1e-4);

  params.set("mean", 0.5);
  params.set("std", 0.25);
  DatasetBundle given = load(params);
  EXPECT_NEAR(given.test.inputs[0][0][0][0].item<double>(), (200.0 / 255.0 - 0.5) / 0.25, 1e-5);
}

TEST(IdxDataset, MeanWithoutNormalizeIsAConfigError) {
  IdxFixture data(4, 2);
  Params params = data.params();
  params.set("mean", 0.3);
  std::string message = message_of<ConfigError>([&] { make_dataset("idx", params); });
  EXPECT_NE(message.find("dataset.mean"), std::string::npos) << message;
  EXPECT_NE(message.find("normalize"), std::string::npos) << message;
}

TEST(IdxDataset, ValidationFractionOfOneIsAConfigError) {
  IdxFixture data(4, 2);
  Params params = data.params();
  params.set("validation_fraction", 1.0);
  std::string message = message_of<ConfigError>([&] { make_dataset("idx", params); });
  EXPECT_NE(message.find("dataset.validation_fraction"), std::string::npos) << message;
}

TEST(IdxDataset, MissingFileNamesBothCandidates) {
  IdxFixture data(4, 2);
  std::filesystem::remove(data.dir / "t10k-labels-idx1-ubyte");
  std::string message = load_error<DataError>("idx", data.params());
  EXPECT_NE(message.find((data.dir / "t10k-labels-idx1-ubyte").string()), std::string::npos) << message;
  EXPECT_NE(message.find("t10k-labels-idx1-ubyte.gz"), std::string::npos) << message;
}

TEST(IdxDataset, WrongMagicNumberNamesFileAndExpectedMagic) {
  IdxFixture data(4, 2);
  data.write("train-images-idx3-ubyte", idx_labels({1, 2, 3, 4}));  // a label file where images belong
  std::string message = load_error<DataError>("idx", data.params());
  EXPECT_NE(message.find((data.dir / "train-images-idx3-ubyte").string()), std::string::npos) << message;
  EXPECT_NE(message.find("magic number 2049"), std::string::npos) << message;
  EXPECT_NE(message.find("expected 2051"), std::string::npos) << message;
}

TEST(IdxDataset, TruncatedImageFileIsADataError) {
  IdxFixture data(4, 2);
  auto bytes = idx_images(4, 3, 2);
  bytes.resize(bytes.size() - 5);
  data.write("train-images-idx3-ubyte", bytes);
  std::string message = load_error<DataError>("idx", data.params());
  EXPECT_NE(message.find((data.dir / "train-images-idx3-ubyte").string()), std::string::npos) << message;
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  EXPECT_NE(message.find("4x3x2"), std::string::npos) << message;
}

TEST(IdxDataset, TruncatedHeaderIsADataError) {
  IdxFixture data(4, 2);
  auto bytes = idx_images(4, 3, 2);
  bytes.resize(9);
  data.write("t10k-images-idx3-ubyte", bytes);
  std::string message = load_error<DataError>("idx", data.params());
  EXPECT_NE(message.find("t10k-images-idx3-ubyte: truncated header"), std::string::npos) << message;
}

TEST(IdxDataset, TrailingBytesAreADataError) {
  IdxFixture data(4, 2);
  auto bytes = idx_labels({0, 1, 2, 3});
  bytes.push_back(0);
  data.write("train-labels-idx1-ubyte", bytes);
  std::string message = load_error<DataError>("idx", data.params());
  EXPECT_NE(message.find("train-labels-idx1-ubyte: corrupt"), std::string::npos) << message;
}

TEST(IdxDataset, TruncatedGzipStreamIsADataError) {
  IdxFixture data(4, 2, /*gzipped=*/true);
  auto compressed = gzip_stored(idx_images(4, 3, 2));
  compressed.resize(compressed.size() - 12);  // cuts the trailer and some data
  write_file(data.dir / "train-images-idx3-ubyte.gz", compressed);
  std::string message = load_error<DataError>("idx", data.params());
  EXPECT_NE(message.find((data.dir / "train-images-idx3-ubyte.gz").string()), std::string::npos) << message;
  EXPECT_NE(message.find("gzip"), std::string::npos) << message;
}

TEST(IdxDataset, GzipChecksumMismatchIsADataError) {
  IdxFixture data(4, 2, /*gzipped=*/true);
  auto compressed = gzip_stored(idx_labels({0, 1, 2, 3}));
  compressed[compressed.size() - 8] ^= 0xff;  // the CRC-32 of the trailer
  write_file(data.dir / "train-labels-idx1-ubyte.gz", compressed);
  std::string message = load_error<DataError>("idx", data.params());
  EXPECT_NE(message.find((data.dir / "train-labels-idx1-ubyte.gz").string() + ": "), std::string::npos)
      << message;
  EXPECT_NE(message.find("corrupt gzip data"), std::string::npos) << message;
}

TEST(IdxDataset, ImageLabelCountMismatchNamesBothFiles) {
  IdxFixture data(4, 2);
  data.write("train-labels-idx1-ubyte", idx_labels({0, 1, 2}));
  std::string message = load_error<DataError>("idx", data.params());
  EXPECT_NE(message.find("train-images-idx3-ubyte holds 4 images"), std::string::npos) << message;
  EXPECT_NE(message.find("train-labels-idx1-ubyte holds 3 labels"), std::string::npos) << message;
}

TEST(IdxDataset, LabelOutOfRangeNamesFileSampleAndRange) {
  IdxFixture data(4, 2);
  data.write("t10k-labels-idx1-ubyte", idx_labels({0, 12}));
  std::string message = load_error<DataError>("idx", data.params());
  EXPECT_NE(message.find("t10k-labels-idx1-ubyte: label 12 of sample 1"), std::string::npos) << message;
  EXPECT_NE(message.find("0..9"), std::string::npos) << message;
}

TEST(IdxDataset, TestImagesOfAnotherSizeAreADataError) {
  IdxFixture data(4, 2);
  data.write("t10k-images-idx3-ubyte", idx_images(2, 2, 2));
  std::string message = load_error<DataError>("idx", data.params());
  EXPECT_NE(message.find("t10k-images-idx3-ubyte: images are 2x2"), std::string::npos) << message;
  EXPECT_NE(message.find("are 3x2"), std::string::npos) << message;
}

TEST(IdxDataset, GzipBombStopsInflatingAtTheDeclaredSize) {
  IdxFixture data(4, 2, /*gzipped=*/true);
  auto labels = idx_labels({0, 1, 2, 3});
  labels.resize(labels.size() + (8u << 20), 0);  // 8 MiB past the 4 labels the header declares
  write_file(data.dir / "train-labels-idx1-ubyte.gz", gzip_stored(labels));
  std::string message = load_error<DataError>("idx", data.params());
  EXPECT_NE(message.find("train-labels-idx1-ubyte.gz: corrupt: header declares 4 elements (12 bytes) but the data "
                         "holds more; stopped reading there"),
            std::string::npos)
      << message;
}

TEST(IdxDataset, HeaderDeclaringMoreThanTheMemoryIsRefusedBeforeReading) {
  IdxFixture data(4, 2);
  std::vector<std::uint8_t> header;
  put_u32(header, 2051);
  for (int d = 0; d < 3; ++d) put_u32(header, 0xffffffffu);
  data.write("train-images-idx3-ubyte", header);
  std::string message = load_error<DataError>("idx", data.params());
  EXPECT_NE(message.find("train-images-idx3-ubyte: needs about"), std::string::npos) << message;
  EXPECT_NE(message.find("4294967295x4294967295x4294967295 elements the header declares; this machine has"),
            std::string::npos)
      << message;
}

TEST(IdxDataset, CheckFindsAMissingFileWithoutLoading) {
  IdxFixture data(4, 2);
  EXPECT_NO_THROW(make_dataset("idx", data.params())->check());
  std::filesystem::remove(data.dir / "t10k-images-idx3-ubyte");
  std::string message = message_of<DataError>([&] { make_dataset("idx", data.params())->check(); });
  EXPECT_NE(message.find("dataset 'idx': neither " + (data.dir / "t10k-images-idx3-ubyte").string()), std::string::npos)
      << message;
  Params params = data.params();
  params.set("path", (data.dir / "typo").string());
  message = message_of<DataError>([&] { make_dataset("idx", params)->check(); });
  EXPECT_NE(message.find("(the directory does not exist)"), std::string::npos) << message;
}

// The one test on the real data: Debian's dataset-fashion-mnist, the plugin's default path.
TEST(IdxDataset, LoadsFashionMnistFromItsDefaultPath) {
  Params params("dataset 'idx'", "dataset");
  DatasetBundle bundle = load(params);
  EXPECT_EQ(bundle.train.inputs.sizes(), (std::vector<std::int64_t>{60000, 1, 28, 28}));
  EXPECT_EQ(bundle.train.targets.sizes(), (std::vector<std::int64_t>{60000}));
  EXPECT_EQ(bundle.test.inputs.sizes(), (std::vector<std::int64_t>{10000, 1, 28, 28}));
  EXPECT_EQ(bundle.input_shape, (std::vector<std::int64_t>{1, 28, 28}));
  EXPECT_EQ(bundle.num_outputs, 10);
  EXPECT_EQ(bundle.train.inputs.min().item<float>(), 0.0f);
  EXPECT_EQ(bundle.train.inputs.max().item<float>(), 1.0f);
  // Fashion-MNIST is balanced: 6000 training and 1000 test images per class
  EXPECT_TRUE(torch::equal(torch::bincount(bundle.train.targets), torch::full({10}, 6000, torch::kInt64)));
  EXPECT_TRUE(torch::equal(torch::bincount(bundle.test.targets), torch::full({10}, 1000, torch::kInt64)));
  EXPECT_NEAR(bundle.train.inputs.mean().item<double>(), 0.2860, 1e-3);
}

}  // namespace
}  // namespace structlab::test
