// Runs repeat exactly: --jobs 1 and --jobs 4 write identical archives, `structlab evaluate` recomputes the
// recorded test metrics to the last bit, and SIGTERM stops a run that the next command resumes.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "structlab/archive/checkpoint.hpp"
#include "structlab/archive/run_archive.hpp"
#include "support/archive_compare.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using testing::first_difference;
using testing::make_temp_dir;
using testing::run_process;
using testing::run_structlab;

std::map<std::string, archive::ArchiveSummary> archives_under(const fs::path& dir) {
  std::map<std::string, archive::ArchiveSummary> archives;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() == ".h5")
      archives[entry.path().filename()] = archive::read_archive(entry.path());
  }
  return archives;
}

fs::path only_archive(const fs::path& dir) {
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() == ".h5") return entry.path();
  }
  ADD_FAILURE() << "no archive under " << dir;
  return {};
}

TEST(Reproducibility, JobsOneAndJobsFourWriteIdenticalArchives) {
  const std::string dir = make_temp_dir("jobs");
  std::ofstream(dir + "/spec.yaml") << R"(experiment: jobs
seeds: [1, 2, 3, 4]
dataset: {plugin: function, train_size: 256, test_size: 64}
structure: {plugin: newman_watts_strogatz, n: 20, k: 4, p: 0.5, orient: random}
model: {plugin: dan, layer_norm: true}
training: {optimizer: adam, lr: 0.01, batch_size: 32, epochs: 1}
pruning: {plugin: magnitude_global, schedule: {kind: one_shot, finetune_epochs: 1}}
)";
  // one LibTorch thread per run both times: --jobs 4 splits --threads 4 between the runs
  auto one = run_structlab("run " + dir + "/spec.yaml --out " + dir + "/one --jobs 1 --threads 1");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  auto four = run_structlab("run " + dir + "/spec.yaml --out " + dir + "/four --jobs 4 --threads 4");
  ASSERT_EQ(four.exit_code, 0) << four.err;
  const auto expected = archives_under(dir + "/one");
  const auto actual = archives_under(dir + "/four");
  ASSERT_EQ(expected.size(), 4u);
  ASSERT_EQ(actual.size(), 4u);
  for (const auto& [name, summary] : expected) {
    ASSERT_EQ(actual.count(name), 1u) << name;
    EXPECT_EQ(first_difference(summary, actual.at(name)), "") << name;
  }
  // the seeds really differ: identical archives are not a sign of the runs ignoring their seed
  EXPECT_NE(first_difference(expected.begin()->second, std::next(expected.begin())->second), "");
}

// Trains 2000 Fashion-MNIST images for an epoch, prunes once and fine-tunes, then re-evaluates both stages.
void expect_evaluate_exact(
    const std::string& tag, const std::string& model_section,
    const std::string& dataset_section = "dataset: {plugin: idx, limit_train: 2000, limit_test: 500}\n") {
  const std::string dir = make_temp_dir(tag);
  std::ofstream(dir + "/spec.yaml") << std::string(R"(experiment: evaluate
seeds: [7]
)") + dataset_section + model_section + R"(training: {optimizer: adam, lr: 0.003, batch_size: 100, epochs: 1}
pruning: {plugin: magnitude_global, selection: {rule: fraction, amount: 0.5}, schedule: {kind: one_shot, finetune_epochs: 1}}
)";
  auto run = run_structlab("--threads 2 run " + dir + "/spec.yaml --out " + dir + "/out");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const fs::path archive = only_archive(dir + "/out");
  for (const char* stage : {"0", "1"}) {
    auto result = run_structlab("--threads 2 evaluate " + archive.string() + " --stage " + stage + " --json");
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    const auto json = nlohmann::json::parse(result.out);
    ASSERT_EQ(json["stages"].size(), 1u);
    const auto& evaluation = json["stages"][0];
    EXPECT_TRUE(evaluation["exact"].get<bool>()) << evaluation.dump();
    EXPECT_EQ(evaluation["recorded"]["test_accuracy"], evaluation["recomputed"]["test_accuracy"]);
    EXPECT_EQ(evaluation["recorded"]["test_loss"], evaluation["recomputed"]["test_loss"]);
  }
}

TEST(Reproducibility, EvaluateRecomputesADanOnTheFusedKernelExactly) {
  // without layer norm the hidden blocks run in the fused kernel, read back from views into hidden_weight
  expect_evaluate_exact("evaluate-dan-fused",
                        "structure: {plugin: newman_watts_strogatz, n: 60, k: 4, p: 0.5, orient: random}\n"
                        "model: {plugin: dan, sinks_to_output: true}\n");
}

TEST(Reproducibility, EvaluateRecomputesACnnArchiveExactly) {
  // 4-D masks and the classifier's channel-grouped view read back into the model
  expect_evaluate_exact("evaluate-cnn", "model: {plugin: cnn, channels: [4, 8], hidden_widths: [32]}\n");
}

TEST(Reproducibility, EvaluateRecomputesAnRnnArchiveExactly) {
  expect_evaluate_exact("evaluate-rnn", "model: {plugin: rnn, cell: gru, hidden_widths: [16]}\n",
                        "dataset: {plugin: idx, limit_train: 500, limit_test: 200, sequence: true}\n");
}

TEST(Reproducibility, EvaluateRecomputesAnFfnArchiveExactly) {
  expect_evaluate_exact("evaluate-ffn", "model: {plugin: ffn, hidden_widths: [64, 32]}\n");
}

TEST(Reproducibility, EvaluateRecomputesADanWithLayerNormExactly) {
  expect_evaluate_exact("evaluate-dan",
                        "structure: {plugin: newman_watts_strogatz, n: 60, k: 4, p: 0.5, orient: random}\n"
                        "model: {plugin: dan, layer_norm: true}\n");
}

TEST(Reproducibility, ArchivesHoldEveryParameterAndBuffer) {
  const std::string dir = make_temp_dir("complete-archive");
  std::ofstream(dir + "/spec.yaml") << R"(experiment: complete
dataset: {plugin: function, train_size: 64, test_size: 16}
structure: {plugin: newman_watts_strogatz, n: 12, k: 4, p: 0.5, orient: random}
model: {plugin: dan, layer_norm: true}
training: {epochs: 1, batch_size: 32}
)";
  ASSERT_EQ(run_structlab("run " + dir + "/spec.yaml --out " + dir + "/out").exit_code, 0);
  const auto summary = archive::read_archive(only_archive(dir + "/out"));
  ASSERT_EQ(summary.stages.size(), 1u);
  const auto& stage = summary.stages[0];
  bool layer_norm_weight = false;
  for (const auto& [name, tensor] : stage.parameters) {
    if (name.rfind("layer_norm_", 0) == 0 && name.size() > 7 && name.substr(name.size() - 7) == ".weight") {
      layer_norm_weight = true;
    }
  }
  EXPECT_TRUE(layer_norm_weight) << "LayerNorm scales are archived with the stage";
  // the packed hidden blocks are archived once, through their layers, not also as whole tensors
  for (const char* packed : {"hidden_weight", "hidden_bias", "hidden_mask"}) {
    EXPECT_EQ(stage.parameters.count(packed), 0u) << packed;
  }
  for (const auto& layer : stage.layers) {
    const bool block = layer.name != "input" && layer.name != "output";
    EXPECT_EQ(layer.weight_name, block ? "" : layer.name + ".weight");
    EXPECT_EQ(layer.mask_name, block ? "" : layer.name + ".mask");
  }
}

TEST(Reproducibility, EvaluateNamesAMissingStage) {
  const std::string dir = make_temp_dir("evaluate-missing");
  std::ofstream(dir + "/spec.yaml") << R"(experiment: missing
dataset: {plugin: function, train_size: 64, test_size: 16}
model: {plugin: ffn, hidden_widths: [4]}
training: {epochs: 1, batch_size: 32}
)";
  ASSERT_EQ(run_structlab("run " + dir + "/spec.yaml --out " + dir + "/out").exit_code, 0);
  const fs::path archive = only_archive(dir + "/out");
  auto result = run_structlab("evaluate " + archive.string() + " --stage 3");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("no stage 03; it has stages 00..00"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(archive.string()), std::string::npos) << result.err;
}

TEST(Reproducibility, SigtermCheckpointsAndTheNextRunResumes) {
  const std::string dir = make_temp_dir("sigterm");
  std::ofstream(dir + "/spec.yaml") << R"(experiment: sigterm
seeds: [4]
dataset: {plugin: function, train_size: 4000, test_size: 100}
model: {plugin: ffn, hidden_widths: [64, 64]}
training: {optimizer: sgd, lr: 0.001, batch_size: 16, epochs: 40, threads: 1}
)";
  auto reference = run_structlab("run " + dir + "/spec.yaml --out " + dir + "/reference");
  ASSERT_EQ(reference.exit_code, 0) << reference.err;

  // wait for the first epoch's progress line, then send SIGTERM as Slurm does at a time limit
  const std::string command = std::string("'") + STRUCTLAB_TEST_CLI + "' run " + dir + "/spec.yaml --out " +
                              dir + "/out --checkpoint-every 0 2>" + dir +
                              "/err.txt & pid=$!; "
                              "for i in $(seq 600); do grep -q 'epoch 1/' " +
                              dir +
                              "/err.txt 2>/dev/null && break; sleep 0.05; done; "
                              "kill -TERM $pid; wait $pid; echo \"exit=$?\"";
  auto stopped = run_process(command);
  EXPECT_NE(stopped.out.find("exit=75"), std::string::npos) << stopped.out << stopped.err;
  bool checkpoint = false;
  for (const auto& entry : fs::recursive_directory_iterator(dir + "/out")) {
    checkpoint = checkpoint || entry.path().extension() == ".ckpt";
    EXPECT_NE(entry.path().extension(), ".h5") << "nothing under a final name after SIGTERM";
  }
  EXPECT_TRUE(checkpoint);

  auto resumed = run_structlab("run " + dir + "/spec.yaml --out " + dir + "/out");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("resuming from stage 0"), std::string::npos) << resumed.err;
  EXPECT_EQ(first_difference(archive::read_archive(only_archive(dir + "/reference")),
                             archive::read_archive(only_archive(dir + "/out"))),
            "");
}

TEST(Reproducibility, CheckpointEveryRejectsANonDuration) {
  const std::string dir = make_temp_dir("checkpoint-every");
  std::ofstream(dir + "/spec.yaml") << R"(experiment: bad
dataset: {plugin: function}
model: {plugin: ffn, hidden_widths: [4]}
)";
  auto result = run_structlab("run " + dir + "/spec.yaml --out " + dir + "/out --checkpoint-every 5x");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("--checkpoint-every: '5x' is not a duration"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace structlab
