// The `idx` dataset: MNIST-format image classification data (MNIST, Fashion-MNIST, ...) from IDX files,
// gzipped or not, scaled to [0, 1] and optionally normalised, with an optional seeded validation split.

#include <filesystem>
#include <sstream>
#include <string>

#include "common/split.hpp"
#include "idx_file.hpp"
#include "structlab/error.hpp"
#include "structlab/plugin/dataset.hpp"
#include "structlab/plugin/register.hpp"
#include "structlab/random.hpp"

namespace {

namespace fs = std::filesystem;
using structlab::DataError;
using structlab::Params;
using structlab::datasets::IdxArray;
using structlab::plugin::DataSplit;

// A parameter value meaning "take it from the training set" for mean and std.
constexpr double kFromTrainingSet = -1.0;

// One image/label file pair, read and checked against each other.
struct LabelledImages {
  IdxArray images;
  IdxArray labels;
  fs::path images_file;
  fs::path labels_file;
};

class IdxDataset : public structlab::plugin::Dataset {
 public:
  static structlab::plugin::PluginInfo info() {
    using structlab::optional_param;
    return {
        "MNIST-format IDX image files, gzipped or not (default: Fashion-MNIST from Debian's "
        "dataset-fashion-mnist)",
        "1.0.0",
        {optional_param("path", std::string("/usr/share/datasets/fashion-mnist"),
                        "directory of the four files"),
         optional_param("train_images", std::string("train-images-idx3-ubyte"),
                        "training images file in path (NAME or NAME.gz is found)"),
         optional_param("train_labels", std::string("train-labels-idx1-ubyte"),
                        "training labels file in path (NAME or NAME.gz is found)"),
         optional_param("test_images", std::string("t10k-images-idx3-ubyte"),
                        "test images file in path (NAME or NAME.gz is found)"),
         optional_param("test_labels", std::string("t10k-labels-idx1-ubyte"),
                        "test labels file in path (NAME or NAME.gz is found)"),
         optional_param("num_classes", std::int64_t{10},
                        "number of classes; a larger label is a data error (0: largest label + 1)"),
         optional_param("normalize", false, "subtract mean and divide by std after scaling to [0, 1]"),
         optional_param("mean", kFromTrainingSet, "mean for normalize (-1: the training split's pixel mean)"),
         optional_param("std", kFromTrainingSet, "std for normalize (-1: the training split's pixel std)"),
         optional_param("validation_fraction", 0.0,
                        "fraction of the training samples held out for validation, seeded (0: none)"),
         optional_param("limit_train", std::int64_t{0}, "use only the first N training samples (0: all)"),
         optional_param("limit_test", std::int64_t{0}, "use only the first N test samples (0: all)"),
         optional_param(
             "sequence", false,
             "give each image as a sequence read row by row: [rows, columns] (28 steps of 28 features for "
             "Fashion-MNIST), for recurrent models; false: [1, rows, columns]")}};
  }

  explicit IdxDataset(const Params& params)
      : directory_(params.get_string("path")),
        train_images_(params.get_string("train_images")),
        train_labels_(params.get_string("train_labels")),
        test_images_(params.get_string("test_images")),
        test_labels_(params.get_string("test_labels")),
        num_classes_(params.get_int("num_classes")),
        normalize_(params.get_bool("normalize")),
        mean_(params.get_double("mean")),
        std_(params.get_double("std")),
        validation_fraction_(params.get_double("validation_fraction")),
        limit_train_(params.get_int("limit_train")),
        limit_test_(params.get_int("limit_test")),
        sequence_(params.get_bool("sequence")) {
    if (num_classes_ < 0) params.fail("num_classes", "must be positive, or 0 for the largest label + 1");
    if (!normalize_ && mean_ != kFromTrainingSet) params.fail("mean", "is only used with normalize: true");
    if (!normalize_ && std_ != kFromTrainingSet) params.fail("std", "is only used with normalize: true");
    if (std_ != kFromTrainingSet && !(std_ > 0))
      params.fail("std", "must be positive (or -1: from the training set)");
    if (!(validation_fraction_ >= 0 && validation_fraction_ < 1)) {
      params.fail("validation_fraction", "must be in [0, 1)");
    }
    if (limit_train_ < 0) params.fail("limit_train", "must be 0 (all) or positive");
    if (limit_test_ < 0) params.fail("limit_test", "must be 0 (all) or positive");
  }

  void check() const override {
    for (const std::string* name : {&train_images_, &train_labels_, &test_images_, &test_labels_}) {
      structlab::datasets::require_readable(locate(*name));
    }
  }

  structlab::plugin::DatasetBundle load(std::uint64_t seed) const override {
    LabelledImages train_files = read_pair(train_images_, train_labels_);
    LabelledImages test_files = read_pair(test_images_, test_labels_);
    if (test_files.images.dims[1] != train_files.images.dims[1] ||
        test_files.images.dims[2] != train_files.images.dims[2]) {
      throw DataError(test_files.images_file.string() + ": images are " + image_size(test_files.images) +
                      " but the training images in " + train_files.images_file.string() + " are " +
                      image_size(train_files.images));
    }
    const std::int64_t num_classes =
        num_classes_ > 0 ? num_classes_ : largest_label(train_files, test_files) + 1;
    check_labels(train_files, num_classes);
    check_labels(test_files, num_classes);

    structlab::plugin::DatasetBundle bundle;
    bundle.train = to_split(train_files, limit_train_);
    bundle.test = to_split(test_files, limit_test_);
    if (validation_fraction_ > 0) {
      const std::int64_t count =
          structlab::datasets::count_of_fraction(bundle.train.size(), validation_fraction_);
      if (count >= bundle.train.size()) {
        throw DataError(train_files.images_file.string() + ": validation_fraction " +
                        std::to_string(validation_fraction_) + " of " + std::to_string(bundle.train.size()) +
                        " samples leaves no training samples");
      }
      structlab::Rng rng(structlab::Rng::derive(seed, "validation-split"));
      bundle.validation = structlab::datasets::take_random_samples(bundle.train, count, rng);
    }

    std::ostringstream description;
    description << "IDX images from " << directory_.string() << ": " << bundle.train.size() << " train, "
                << bundle.validation.size() << " validation, " << bundle.test.size() << " test, "
                << image_size(train_files.images) << " pixels scaled to [0, 1], " << num_classes
                << " classes";
    if (normalize_) {
      // statistics of the training split alone, so nothing of the validation or test samples leaks in
      const double mean = mean_ != kFromTrainingSet ? mean_ : bundle.train.inputs.mean().item<double>();
      const double std = std_ != kFromTrainingSet ? std_ : bundle.train.inputs.std().item<double>();
      if (!(std > 0)) {
        throw DataError(train_files.images_file.string() +
                        ": cannot normalize: the training pixels are constant");
      }
      for (DataSplit* split : {&bundle.train, &bundle.validation, &bundle.test}) {
        if (split->size() > 0) split->inputs.sub_(mean).div_(std);
      }
      description << ", normalized with mean " << mean << " and std " << std;
    }
    bundle.input_shape = {1, train_files.images.dims[1], train_files.images.dims[2]};
    if (sequence_) {
      // row r of an image is step r: [N, 1, rows, columns] -> [N, rows, columns]
      bundle.input_shape = {train_files.images.dims[1], train_files.images.dims[2]};
      for (DataSplit* split : {&bundle.train, &bundle.validation, &bundle.test}) {
        if (split->size() > 0) split->inputs = split->inputs.squeeze(1);
      }
      description << ", read row by row as sequences of " << train_files.images.dims[1] << " steps of "
                  << train_files.images.dims[2] << " features";
    }
    bundle.num_outputs = num_classes;
    bundle.task = structlab::plugin::Task::classification;
    bundle.description = description.str();
    return bundle;
  }

 private:
  // NAME or NAME.gz (or, for a NAME.gz that is missing, NAME without .gz) in the dataset directory.
  fs::path locate(const std::string& name) const {
    fs::path plain = directory_ / name;
    fs::path other =
        plain.extension() == ".gz" ? fs::path(plain).replace_extension() : fs::path(plain) += ".gz";
    std::error_code ignored;
    if (fs::is_regular_file(plain, ignored)) return plain;
    if (fs::is_regular_file(other, ignored)) return other;
    std::string why = fs::is_directory(directory_, ignored) ? "" : " (the directory does not exist)";
    throw DataError("dataset 'idx': neither " + plain.string() + " nor " + other.string() + " exists" + why);
  }

  LabelledImages read_pair(const std::string& images_name, const std::string& labels_name) const {
    LabelledImages pair;
    pair.images_file = locate(images_name);
    pair.labels_file = locate(labels_name);
    pair.images = structlab::datasets::read_idx(pair.images_file, 3);
    pair.labels = structlab::datasets::read_idx(pair.labels_file, 1);
    if (pair.images.dims[0] != pair.labels.dims[0]) {
      throw DataError(pair.images_file.string() + " holds " + std::to_string(pair.images.dims[0]) +
                      " images but " + pair.labels_file.string() + " holds " +
                      std::to_string(pair.labels.dims[0]) + " labels; expected one label per image");
    }
    if (pair.images.dims[0] == 0) throw DataError(pair.images_file.string() + ": holds no images");
    return pair;
  }

  static std::int64_t largest_label(const LabelledImages& train, const LabelledImages& test) {
    std::uint8_t largest = 0;
    for (const auto* pair : {&train, &test}) {
      for (std::uint8_t label : pair->labels.payload) largest = std::max(largest, label);
    }
    return largest;
  }

  static void check_labels(const LabelledImages& pair, std::int64_t num_classes) {
    const auto& labels = pair.labels.payload;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] >= num_classes) {
        throw DataError(pair.labels_file.string() + ": label " + std::to_string(labels[i]) + " of sample " +
                        std::to_string(i) + " is out of range; expected 0.." +
                        std::to_string(num_classes - 1) + " (num_classes is " + std::to_string(num_classes) +
                        ")");
      }
    }
  }

  static std::string image_size(const IdxArray& images) {
    return std::to_string(images.dims[1]) + "x" + std::to_string(images.dims[2]);
  }

  // The first `limit` samples (all when 0) as float32 images in [0, 1] and int64 labels.
  static DataSplit to_split(const LabelledImages& pair, std::int64_t limit) {
    const std::int64_t count = limit > 0 ? std::min(limit, pair.images.dims[0]) : pair.images.dims[0];
    const std::int64_t rows = pair.images.dims[1];
    const std::int64_t cols = pair.images.dims[2];
    // from_blob only views the buffer; to() makes the owning copy before the buffer goes away
    auto* pixels = const_cast<std::uint8_t*>(pair.images.payload.data());
    auto* labels = const_cast<std::uint8_t*>(pair.labels.payload.data());
    DataSplit split;
    split.inputs =
        torch::from_blob(pixels, {count, 1, rows, cols}, torch::kUInt8).to(torch::kFloat32).div_(255.0);
    split.targets = torch::from_blob(labels, {count}, torch::kUInt8).to(torch::kInt64);
    return split;
  }

  fs::path directory_;
  std::string train_images_;
  std::string train_labels_;
  std::string test_images_;
  std::string test_labels_;
  std::int64_t num_classes_;
  bool normalize_;
  double mean_;
  double std_;
  double validation_fraction_;
  std::int64_t limit_train_;
  std::int64_t limit_test_;
  bool sequence_;
};

}  // namespace

STRUCTLAB_REGISTER_DATASET(IdxDataset, idx)
