#pragma once
/// \file
/// Dataset plugins: load a dataset into memory as tensors.

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace structlab::plugin {

/// What the model learns to do with a dataset.
enum class Task { classification, regression };

/// One split: inputs [N, ...input_shape] float32, targets [N] int64 (classification) or [N, k] float32.
struct DataSplit {
  torch::Tensor inputs;   ///< samples
  torch::Tensor targets;  ///< labels or regression targets

  /// Number of samples (0 when the split is empty).
  std::int64_t size() const { return inputs.defined() ? inputs.size(0) : 0; }
};

/// A loaded dataset.
struct DatasetBundle {
  DataSplit train;                        ///< training samples
  DataSplit validation;                   ///< may be empty
  DataSplit test;                         ///< evaluation samples
  std::vector<std::int64_t> input_shape;  ///< one sample's shape
  std::int64_t num_outputs = 0;           ///< number of classes, or of regression targets
  Task task = Task::classification;       ///< decides loss and metrics
  std::string description;                ///< one line for logs and archives
};

/// A dataset; constructed with its validated Params. Throws DataError for missing or corrupt files.
class Dataset {
 public:
  virtual ~Dataset() = default;
  /// Loads the data; \p seed drives any sampling or splitting.
  virtual DatasetBundle load(std::uint64_t seed) const = 0;
  /// Checks what can be checked without loading (the files exist and are readable, a header names the
  /// columns asked for) and throws DataError naming the file when not. Spec validation calls it, so a wrong
  /// path is one message before any run instead of one failed archive per run. Default: nothing to check.
  virtual void check() const {}
};

}  // namespace structlab::plugin
