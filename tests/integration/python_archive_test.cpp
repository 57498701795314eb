// A run archive read from Python with h5py (Debian's python3-h5py, installed by tools/setup.sh): the
// README's example runs as written, and what h5py sees matches structlab's own reader.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "structlab/archive/run_archive.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using testing::make_temp_dir;
using testing::run_process;
using testing::run_structlab;

// Debian's interpreter, the one python3-h5py is built for (a python3 earlier on PATH may lack h5py).
const char* kPython = "/usr/bin/python3";

// Two stages (trained, pruned) of a small FFN on the synthetic function dataset.
const char* kSpec = R"(experiment: from-python
seeds: [4]
dataset: {plugin: function, function: seed_example, train_size: 128, test_size: 32}
model: {plugin: ffn, hidden_widths: [6, 5]}
training: {optimizer: adam, lr: 0.01, batch_size: 32, epochs: 2, threads: 1}
pruning: {plugin: magnitude_global, selection: {rule: fraction, amount: 0.5}, schedule: {kind: one_shot}}
)";

class PythonArchive : public ::testing::Test {
 protected:
  void SetUp() override {
    auto probe = run_process(std::string(kPython) + " -c 'import h5py, numpy'");
    ASSERT_EQ(probe.exit_code, 0) << "python3-h5py and python3-numpy are needed (bash tools/setup.sh): "
                                  << probe.err;
    dir_ = make_temp_dir("python-archive");
    std::ofstream(dir_ + "/spec.yaml") << kSpec;
    auto run = run_structlab("run " + dir_ + "/spec.yaml --out " + dir_ + "/out");
    ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
    for (const auto& entry : fs::recursive_directory_iterator(dir_ + "/out")) {
      if (entry.path().extension() == ".h5") archive_ = entry.path().string();
    }
    ASSERT_FALSE(archive_.empty());
  }

  std::string dir_;
  std::string archive_;
};

// The ```python block of README.md that reads an archive.
std::string readme_python_example() {
  std::ifstream file(std::string(STRUCTLAB_TEST_SOURCE_DIR) + "/README.md");
  std::stringstream text;
  text << file.rdbuf();
  std::smatch match;
  const std::string readme = text.str();
  if (!std::regex_search(readme, match, std::regex("```python\n([^`]*h5py[^`]*)```"))) return "";
  return match[1];
}

TEST_F(PythonArchive, TheReadmeExampleRunsAsWritten) {
  std::string example = readme_python_example();
  ASSERT_FALSE(example.empty()) << "README.md has no ```python block using h5py";
  const std::string placeholder = "runs/quickstart/quickstart-<hash>.h5";
  auto at = example.find(placeholder);
  ASSERT_NE(at, std::string::npos) << example;
  example.replace(at, placeholder.size(), archive_);
  std::ofstream(dir_ + "/example.py") << example;
  auto result = run_process(std::string(kPython) + " " + dir_ + "/example.py");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("from-python-"), std::string::npos) << result.out;  // the run id it printed
}

TEST_F(PythonArchive, H5pySeesWhatStructlabWrote) {
  auto result =
      run_process(std::string(kPython) +
                  " " STRUCTLAB_TEST_SOURCE_DIR "/tests/integration/archive_from_python.py " + archive_);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto found = nlohmann::json::parse(result.out);
  const auto summary = archive::read_archive(archive_);

  EXPECT_EQ(found["run_id"], summary.attributes.at("run_id"));
  EXPECT_EQ(found["status"], "completed");
  EXPECT_EQ(found["seed"], 4);
  EXPECT_EQ(found["spec"], summary.spec_yaml);
  EXPECT_EQ(found["edges"], (std::vector<std::int64_t>{summary.structure.num_edges(), 2}));

  ASSERT_EQ(found["stages"].size(), summary.stages.size());
  ASSERT_EQ(summary.stages.size(), 2u);
  for (const auto& stage : summary.stages) {
    const auto& seen = found["stages"][fmt::format("{:02d}", stage.index)];
    EXPECT_EQ(seen["description"], stage.description);
    EXPECT_TRUE(seen["test_accuracy"].is_null()) << "a regression run has no accuracy";
    ASSERT_EQ(seen["layers"].size(), stage.layers.size());
    for (const auto& layer : stage.layers) {
      const auto& seen_layer = seen["layers"][layer.name];
      const auto shape = std::vector<std::int64_t>(layer.weight.sizes().begin(), layer.weight.sizes().end());
      EXPECT_EQ(seen_layer["shape"], shape) << layer.name;
      EXPECT_EQ(seen_layer["mask_shape"], shape) << layer.name;
      EXPECT_EQ(seen_layer["active"], layer.mask.sum().item<std::int64_t>()) << layer.name;
      EXPECT_NEAR(seen_layer["weight_sum"].get<double>(),
                  layer.weight.to(torch::kDouble).sum().item<double>(), 1e-6)
          << layer.name;
      // pruned weights are zero in the file, not only masked
      EXPECT_EQ(seen_layer["masked_out_abs_sum"], 0.0) << layer.name;
    }
  }
  const auto& pruned = found["stages"]["01"]["layers"];
  EXPECT_LT(pruned["main_1"]["active"].get<std::int64_t>(), 6 * 5);

  ASSERT_EQ(found["history_epochs"].size(), summary.history.size());
  for (std::size_t i = 0; i < summary.history.size(); ++i) {
    EXPECT_EQ(found["history_epochs"][i], summary.history[i].epoch);
    EXPECT_NEAR(found["history_test_loss"][i].get<double>(), summary.history[i].test_loss, 1e-12);
  }
}

// A CNN's 4-D kernel masks and 3-D classifier mask, bit-packed along their last axis, unpack in NumPy to the
// masks structlab reads.
TEST(PythonArchiveOfACnn, H5pyUnpacksKernelMasks) {
  auto probe = run_process(std::string(kPython) + " -c 'import h5py, numpy'");
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  const std::string dir = make_temp_dir("python-cnn-archive");
  std::ofstream(dir + "/spec.yaml") << R"(experiment: cnn-from-python
seeds: [4]
dataset: {plugin: idx, limit_train: 200, limit_test: 50}
model: {plugin: cnn, channels: [3, 5], hidden_widths: [7]}
training: {optimizer: adam, lr: 0.01, batch_size: 50, epochs: 1, threads: 1}
pruning: {plugin: magnitude_global, selection: {rule: fraction, amount: 0.5, granularity: kernel}, schedule: {kind: one_shot}}
)";
  auto run = run_structlab("run " + dir + "/spec.yaml --out " + dir + "/out");
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  std::string archive;
  for (const auto& entry : fs::recursive_directory_iterator(dir + "/out")) {
    if (entry.path().extension() == ".h5") archive = entry.path().string();
  }
  auto result =
      run_process(std::string(kPython) +
                  " " STRUCTLAB_TEST_SOURCE_DIR "/tests/integration/archive_from_python.py " + archive);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto found = nlohmann::json::parse(result.out);
  const auto summary = archive::read_archive(archive);
  const auto& pruned = summary.stages.at(1);
  const auto& seen = found["stages"]["01"]["layers"];
  for (const auto& layer : pruned.layers) {
    const auto shape = std::vector<std::int64_t>(layer.mask.sizes().begin(), layer.mask.sizes().end());
    EXPECT_EQ(seen[layer.name]["mask_shape"], shape) << layer.name;
    EXPECT_EQ(seen[layer.name]["active"], layer.mask.sum().item<std::int64_t>()) << layer.name;
    EXPECT_EQ(seen[layer.name]["masked_out_abs_sum"], 0.0) << layer.name;
  }
  EXPECT_EQ(seen["conv_1"]["mask_shape"], (std::vector<std::int64_t>{5, 3, 5, 5}));
  EXPECT_LT(seen["conv_1"]["active"].get<std::int64_t>(), 5 * 3 * 25);
}

}  // namespace
}  // namespace structlab
