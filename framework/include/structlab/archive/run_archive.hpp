#pragma once
/// \file
/// The HDF5 archive of one run: `<out>/<experiment>/<run-id>.h5`. Layout: README.md, section "Run archives".

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "structlab/graph/layered_graph.hpp"

namespace structlab::archive {

/// A plugin used by a run, as recorded in the root attributes.
struct PluginUse {
  std::string role;     ///< dataset | structure | model | pruning
  std::string name;     ///< plugin name
  std::string version;  ///< plugin's own version
  std::string path;     ///< its library
};

/// Root attributes written when a run starts.
struct RunAttributes {
  std::string structlab_version;   ///< structlab version
  std::string run_id;              ///< run id
  std::string spec_hash;           ///< spec hash
  std::uint64_t seed = 0;          ///< run seed
  std::string start_time;          ///< ISO 8601 UTC
  std::string host;                ///< host name
  std::string torch_version;       ///< LibTorch version
  std::string sparse_kernels_isa;  ///< the instruction set the sparse kernels ran with (nn::sparse_kernel_isa())
  std::vector<PluginUse> plugins;  ///< every plugin the run used
};

/// One masked layer of a stage.
struct LayerRecord {
  std::string name;           ///< masked layer name (group name)
  std::int64_t source_layer;  ///< structure layer feeding it (-1 = input)
  std::int64_t target_layer;  ///< structure layer it feeds (num_layers = output)
  torch::Tensor weight;       ///< float32 [out, in, k...] (a matrix, or a kernel per pair as for Conv2d)
  torch::Tensor bias;         ///< float32 [out], may be undefined
  torch::Tensor mask;         ///< bool, shaped like the weight
  std::string weight_name;    ///< the weight's name in the model's state (e.g. "main_1.weight"); may be empty
  std::string bias_name;      ///< the bias's name in the model's state; empty when none or unknown
  std::string mask_name;      ///< the mask buffer's name in the model's state; may be empty
};

/// One stage: 00 = the trained dense-by-structure model, then one per pruning step.
struct StageRecord {
  std::int64_t index = 0;                           ///< stage number
  std::string description;                          ///< e.g. "trained", "pruned level 1 (magnitude_global)"
  /// The curve a stage belongs to where a run trains several side by side: "ticket", "reinit" or
  /// "random_masks" for lottery-ticket controls; empty otherwise (archived as the attribute `series`).
  std::string series;
  std::vector<LayerRecord> layers;                  ///< every masked layer
  graph::LayeredGraph structure;                    ///< graph regenerated from the masks
  std::map<std::string, double> structure_metrics;  ///< its metrics
  std::map<std::string, double> metrics;  ///< test loss/accuracy, density, active weights, dead vertices, ...
  /// Every parameter and buffer of the model not already in `layers` (LayerNorm scales and shifts, ...), by
  /// its name in the model's state; with `layers` it is the whole model.
  std::map<std::string, torch::Tensor> parameters;
};

/// One row of the per-epoch history table.
struct HistoryRow {
  std::int64_t stage = 0;           ///< stage the epoch belongs to
  std::int64_t epoch = 0;           ///< epoch within the stage, from 1
  double train_loss = 0;            ///< mean training loss
  double train_accuracy = 0;        ///< training accuracy (NaN for regression)
  double test_loss = 0;             ///< test loss
  double test_accuracy = 0;         ///< test accuracy (NaN for regression)
  double learning_rate = 0;         ///< learning rate used in the epoch
  double seconds = 0;               ///< wall time of the epoch
  std::int64_t active_weights = 0;  ///< active weights at the end of the epoch
};

/// Writes one run's archive under a temporary name and renames it into place on finish(), so a run killed
/// mid-way never leaves a file under the final name. Every method throws ArchiveError naming the path (and
/// the group or dataset involved); calls after finish() throw too. Not safe for concurrent use of one writer.
class RunArchiveWriter {
 public:
  /// Creates the parent directory and opens `<final_path>.partial` for writing (replacing a stale one).
  explicit RunArchiveWriter(std::filesystem::path final_path);
  /// Goes on writing the archive saved in checkpoint \p checkpoint: copies it to `<final_path>.partial`,
  /// drops the checkpoint's own group and marks the run "running" again. Throws ArchiveError naming the files.
  RunArchiveWriter(std::filesystem::path final_path, const std::filesystem::path& checkpoint);
  /// Closes and deletes the temporary file when finish() was not called.
  ~RunArchiveWriter();
  RunArchiveWriter(const RunArchiveWriter&) = delete;
  RunArchiveWriter& operator=(const RunArchiveWriter&) = delete;

  /// Root attributes (status is "running" until finish()); two plugins with one role are an ArchiveError.
  void write_run_attributes(const RunAttributes& attributes);
  /// `/spec`: the resolved YAML text; a second call is an ArchiveError.
  void write_spec(const std::string& yaml);
  /// `/structure`: edges E×2 int64, layer per vertex int32, metrics as attributes; a second call, a graph
  /// with a cycle or a metric named num_vertices is an ArchiveError.
  void write_structure(const graph::LayeredGraph& structure, const std::map<std::string, double>& metrics);
  /// `/stages/NN`: the stage's layers, regenerated graph and metrics. Weights and biases are stored as
  /// float32, masks bit-packed in NumPy's packbits layout. Checked before anything is written: a negative or
  /// repeated index, a repeated or unusable layer name, a mask shaped unlike its weight, or a metric named
  /// description is an ArchiveError.
  void write_stage(const StageRecord& stage);
  /// Writes a snapshot taken during stage \p snapshot.index (dynamic sparse training watches its structure
  /// change) as `/snapshots/<NN>-<label>`, laid out like a stage group. Throws ArchiveError when it exists.
  void write_snapshot(const std::string& label, const StageRecord& snapshot);
  /// Appends one row to `/history`.
  void append_history(const HistoryRow& row);
  /// Writes status ("completed" or "failed", anything else is an ArchiveError), message and end time, closes
  /// the file, flushes it to disk and renames it to the final path (replacing an older archive there). A failed
  /// archive never replaces a completed one: it goes to `<run-id>.h5.failed` beside it instead, and
  /// final_path() says so.
  void finish(const std::string& status, const std::string& message, const std::string& end_time);
  /// Flushes everything written so far and copies the archive, as a complete HDF5 file, to \p destination
  /// (replacing it); the copy's status is \p status. Used for checkpoints.
  void copy_to(const std::filesystem::path& destination, const std::string& status);
  /// Closes the file and leaves the temporary file where it is: for a run that lost its run lock, whose
  /// temporary file another process may be writing now. Nothing is written, renamed or deleted afterwards.
  void abandon() noexcept;
  /// The final path.
  const std::filesystem::path& final_path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// State of a run's archive on disk.
enum class ArchiveState {
  missing,     ///< no file under the final name
  completed,   ///< finished with status "completed"
  failed,      ///< finished with status "failed"
  unreadable,  ///< present but not a readable structlab archive
};

/// Reads the state of the archive at \p path from its root attributes, without throwing and without reading
/// the tensors: any file that does not open as a structlab archive with status completed or failed is
/// unreadable.
ArchiveState archive_state(const std::filesystem::path& path);

/// Which run an archive on disk holds, for deciding whether a run is already done.
struct ArchiveIdentity {
  ArchiveState state = ArchiveState::missing;  ///< as archive_state() says
  std::string spec_hash;                       ///< the full spec hash it records (empty when unreadable)
  std::string run_id;                          ///< the run id it records
};

/// The state, spec hash and run id of the archive at \p path; never throws.
ArchiveIdentity archive_identity(const std::filesystem::path& path);

/// Everything an archive holds, as read back by read_archive().
struct ArchiveSummary {
  std::map<std::string, std::string> attributes;    ///< root attributes as text (numbers in decimal)
  std::string spec_yaml;                            ///< `/spec`
  graph::LayeredGraph structure;                    ///< `/structure`: the generated graph
  std::map<std::string, double> structure_metrics;  ///< `/structure` metric attributes
  std::vector<StageRecord> stages;                  ///< stages in index order, layers in the order written
  std::vector<HistoryRow> history;                  ///< the history table, in the order appended
};

/// How much of each layer read_archive() loads.
enum class LayerTensors {
  all,         ///< weight, bias and mask
  masks_only,  ///< mask only (enough for active-weight counts); weight and bias stay undefined
};

/// Reads an archive back (layers as \p tensors says); throws ArchiveError naming the path and what is missing
/// or corrupt, also for a file that is not HDF5, is truncated, or was written by a newer archive format.
ArchiveSummary read_archive(const std::filesystem::path& path, LayerTensors tensors = LayerTensors::all);

}  // namespace structlab::archive
