// `structure.sample`: graphs drawn with random generator parameters, measured, and kept to cover bins of their
// metrics; the kept graphs become one axis of the sweep.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "spec_files.hpp"
#include "structlab/graph/layered_graph.hpp"
#include "structlab/graph/metrics.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/registry.hpp"
#include "structlab/random.hpp"
#include "structlab/spec/loader.hpp"

namespace structlab::spec {
namespace {

using namespace testing;

// The built-in plugins (ws_flex, erdos_renyi) beside the fixtures the minimal spec names.
std::vector<fs::path> plugins_for_sample() {
  std::vector<fs::path> paths = fixture_plugins();
  paths.emplace_back(fs::path(STRUCTLAB_TEST_PLUGIN_DIR) / "libstructlab_generator_ws_flex.so");
  paths.emplace_back(fs::path(STRUCTLAB_TEST_PLUGIN_DIR) / "libstructlab_generator_erdos_renyi.so");
  return paths;
}

const std::string kSampleSpec =
    "experiment: sampled\n"
    "seeds: [1, 2]\n"
    "dataset: {plugin: fixture_dataset}\n"
    "model: {plugin: fixture_model}\n"
    "structure:\n"
    "  plugin: ws_flex\n"
    "  n: 16\n"
    "  sample:\n"
    "    candidates: 300\n"
    "    ranges: {k: [2, 15], p: [0, 1]}\n"
    "    bins: {average_clustering: [0, 1, 4], average_shortest_path_length: [1, 3, 4]}\n";

ExperimentPlan plan_sample(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return plan_experiment(write_spec(text), overrides, plugins_for_sample());
}

std::string sample_error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    plan_sample(text, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError, the spec was accepted:\n" << text;
  return "";
}

// The metrics of the graph a run generates, computed as a run does (structure.graph_seed, index orientation).
std::vector<std::pair<std::string, double>> run_graph_metrics(const RunSpec& run) {
  auto registry = plugin::PluginRegistry::with_default_paths(plugins_for_sample());
  auto generator = registry.create_generator(run.structure->plugin, run.structure->params);
  const auto seed = static_cast<std::uint64_t>(run.graph_seed);
  auto graph = graph::LayeredGraph::from_edge_list(generator->generate(seed), graph::Orientation::index,
                                                   Rng::derive(seed, "orientation"));
  return graph::compute_metrics(graph).flatten();
}

double metric(const std::vector<std::pair<std::string, double>>& flat, const std::string& name) {
  for (const auto& [key, value] : flat) {
    if (key == name) return value;
  }
  ADD_FAILURE() << "no metric " << name;
  return 0;
}

TEST(StructureSample, KeepsOneGraphPerNonEmptyBinWithItsMeasuresInsideIt) {
  ExperimentPlan plan = plan_sample(kSampleSpec);
  ASSERT_TRUE(plan.structure_sample.has_value());
  const StructureSample& sample = *plan.structure_sample;
  EXPECT_EQ(sample.generator, "ws_flex");
  EXPECT_EQ(sample.candidates, 300);
  EXPECT_EQ(sample.seed, 0u) << "0 unless sample.seed says otherwise";
  ASSERT_EQ(sample.bins.size(), 2u);
  EXPECT_EQ(sample.bins[0].metric, "average_clustering");
  EXPECT_EQ(sample.bins[1].metric, "average_shortest_path_length");
  EXPECT_EQ(sample.ranges, (std::vector<std::string>{"k", "p"}));
  ASSERT_GE(sample.kept.size(), 4u) << "300 graphs of 16 vertices with k in [2, 15] spread over several bins";
  std::set<std::vector<std::int64_t>> bins;
  for (const auto& kept : sample.kept) {
    EXPECT_TRUE(bins.insert(kept.bin).second) << "per_bin 1: one graph per bin";
    for (std::size_t b = 0; b < 2; ++b) {
      const SampleBins& edges = sample.bins[b];
      const double width = (edges.high - edges.low) / static_cast<double>(edges.count);
      EXPECT_GE(kept.measures[b], edges.low + width * static_cast<double>(kept.bin[b]) - 1e-12);
      EXPECT_LE(kept.measures[b], edges.low + width * static_cast<double>(kept.bin[b] + 1) + 1e-12);
    }
    const double k = std::get<double>(kept.parameters[0].second);
    const double p = std::get<double>(kept.parameters[1].second);
    EXPECT_TRUE(k >= 2 && k <= 15) << k;
    EXPECT_TRUE(p >= 0 && p <= 1) << p;
  }
  EXPECT_TRUE(std::is_sorted(sample.kept.begin(), sample.kept.end(),
                             [](const auto& a, const auto& b) { return a.bin < b.bin; }));
  // each candidate was refused, measured outside the bins, or fell into a bin (kept or one too many there)
  EXPECT_LE(sample.invalid + sample.outside + static_cast<std::int64_t>(sample.kept.size()), sample.candidates);
  EXPECT_EQ(sample.invalid, 0) << sample.first_invalid;
}

TEST(StructureSample, EveryKeptGraphIsARunPerSeedThatGeneratesExactlyThatGraph) {
  ExperimentPlan plan = plan_sample(kSampleSpec);
  const StructureSample& sample = *plan.structure_sample;
  ASSERT_EQ(plan.runs.size(), sample.kept.size() * 2);
  for (std::size_t g = 0; g < sample.kept.size(); ++g) {
    const SampledStructure& kept = sample.kept[g];
    for (std::size_t s = 0; s < 2; ++s) {
      const RunSpec& run = plan.runs[g * 2 + s];  // the sample varies slower than the seeds
      EXPECT_EQ(run.seed, s + 1);
      EXPECT_EQ(run.graph_seed, kept.graph_seed);
      EXPECT_DOUBLE_EQ(run.structure->params.get_double("k"), std::get<double>(kept.parameters[0].second));
      EXPECT_DOUBLE_EQ(run.structure->params.get_double("p"), std::get<double>(kept.parameters[1].second));
      EXPECT_NE(run.canonical_yaml.find("graph_seed: " + std::to_string(kept.graph_seed)), std::string::npos);
      EXPECT_EQ(run.canonical_yaml.find("sample:"), std::string::npos) << "a run is one plain structure";
      ASSERT_EQ(run.grid_point.size(), 3u);
      EXPECT_EQ(run.grid_point[0].first, "structure.k");
      EXPECT_EQ(run.grid_point[2], (std::pair<std::string, std::string>{"structure.graph_seed",
                                                                          std::to_string(kept.graph_seed)}));
    }
    // the graph a run builds has exactly the measures the sample binned it by
    const auto flat = run_graph_metrics(plan.runs[g * 2]);
    EXPECT_EQ(metric(flat, "average_clustering"), kept.measures[0]);
    EXPECT_EQ(metric(flat, "average_shortest_path_length"), kept.measures[1]);
  }
  std::set<std::string> ids;
  for (const auto& run : plan.runs) ids.insert(run.run_id);
  EXPECT_EQ(ids.size(), plan.runs.size());
}

TEST(StructureSample, IsDeterministicAndFollowsItsSeed) {
  ExperimentPlan first = plan_sample(kSampleSpec);
  ExperimentPlan again = plan_sample(kSampleSpec);
  ASSERT_EQ(first.runs.size(), again.runs.size());
  for (std::size_t i = 0; i < first.runs.size(); ++i) EXPECT_EQ(first.runs[i].run_id, again.runs[i].run_id);
  ExperimentPlan other = plan_sample(kSampleSpec, {"structure.sample.seed=7"});
  EXPECT_EQ(other.structure_sample->seed, 7u);
  EXPECT_NE(other.structure_sample->kept.front().graph_seed, first.structure_sample->kept.front().graph_seed);
}

TEST(StructureSample, MoreSeedsTrainTheSameGraphs) {
  ExperimentPlan two = plan_sample(kSampleSpec);
  ExperimentPlan one = plan_sample(kSampleSpec, {"seeds=[2]"});
  ASSERT_EQ(one.structure_sample->kept.size(), two.structure_sample->kept.size());
  for (std::size_t g = 0; g < one.structure_sample->kept.size(); ++g) {
    EXPECT_EQ(one.structure_sample->kept[g].graph_seed, two.structure_sample->kept[g].graph_seed);
    EXPECT_EQ(one.runs[g].run_id, two.runs[g * 2 + 1].run_id) << "the seed-2 run of a graph keeps its id";
  }
}

TEST(StructureSample, PerBinKeepsUpToThatManyGraphsPerBin) {
  ExperimentPlan plan = plan_sample(kSampleSpec, {"structure.sample.per_bin=3"});
  const StructureSample& sample = *plan.structure_sample;
  std::map<std::vector<std::int64_t>, int> per_bin;
  for (const auto& kept : sample.kept) ++per_bin[kept.bin];
  int at_three = 0;
  for (const auto& [bin, count] : per_bin) {
    EXPECT_LE(count, 3);
    at_three += count == 3;
  }
  EXPECT_GT(at_three, 0) << "300 candidates fill some bins three times";
  EXPECT_GT(sample.kept.size(), plan_sample(kSampleSpec).structure_sample->kept.size());
}

TEST(StructureSample, CombinesWithTheGridAsTheSlowestAxis) {
  ExperimentPlan plan = plan_sample(kSampleSpec + "grid: {training.lr: [0.1, 0.2]}\n");
  const std::size_t graphs = plan.structure_sample->kept.size();
  ASSERT_EQ(plan.runs.size(), graphs * 2 * 2);
  EXPECT_EQ(plan.runs[0].graph_seed, plan.runs[3].graph_seed);
  EXPECT_DOUBLE_EQ(plan.runs[0].training.lr, 0.1);
  EXPECT_DOUBLE_EQ(plan.runs[2].training.lr, 0.2);
  EXPECT_NE(plan.runs[0].graph_seed, plan.runs[4].graph_seed);
}

TEST(StructureSample, DrawsIntegerParametersAsWholeNumbersInTheirRange) {
  ExperimentPlan plan = plan_sample(
      "experiment: sampled\n"
      "dataset: {plugin: fixture_dataset}\n"
      "model: {plugin: fixture_model}\n"
      "structure:\n"
      "  plugin: erdos_renyi\n"
      "  p: 0.3\n"
      "  sample: {candidates: 60, seed: 3, ranges: {n: [10, 20]}, bins: {vertices: [10, 21, 11]}}\n");
  const StructureSample& sample = *plan.structure_sample;
  EXPECT_EQ(sample.seed, 3u);
  ASSERT_EQ(sample.kept.size(), 11u) << "60 draws of n in [10, 20] hit each of the 11 values";
  for (const auto& kept : sample.kept) {
    const std::int64_t n = std::get<std::int64_t>(kept.parameters[0].second);
    EXPECT_EQ(static_cast<double>(n), kept.measures[0]);
    EXPECT_EQ(kept.bin[0], n - 10);
  }
}

TEST(StructureSample, TheBaselineRunsFirstWhereverItsMeasuresLie) {
  // ws_flex with k = n - 1 is the complete graph, which real-valued draws of k never hit
  ExperimentPlan plan = plan_sample(kSampleSpec, {"structure.sample.baseline.k=15", "structure.sample.baseline.p=0"});
  const StructureSample& sample = *plan.structure_sample;
  const std::size_t drawn = plan_sample(kSampleSpec).structure_sample->kept.size();
  ASSERT_EQ(sample.kept.size(), drawn + 1) << "the baseline comes on top of the graphs drawn";
  const SampledStructure& baseline = sample.kept.front();
  EXPECT_EQ(baseline.candidate, -1);
  EXPECT_EQ(baseline.measures, (std::vector<double>{1.0, 1.0})) << "the complete graph: C = 1, L = 1";
  EXPECT_EQ(baseline.bin, (std::vector<std::int64_t>{3, 0}));
  EXPECT_DOUBLE_EQ(plan.runs.front().structure->params.get_double("k"), 15.0) << "an integer given for a real";
  EXPECT_EQ(plan.runs.front().graph_seed, baseline.graph_seed);

  std::string message = sample_error_of(kSampleSpec, {"structure.sample.baseline.k=15"});
  EXPECT_NE(message.find("structure.sample.baseline: expected a value for every drawn parameter; 'p' is missing"),
            std::string::npos)
      << message;
  message = sample_error_of(kSampleSpec, {"structure.sample.baseline.k=15", "structure.sample.baseline.p=0",
                                          "structure.sample.baseline.n=20"});
  EXPECT_NE(message.find("structure.sample.baseline.n: the baseline sets the drawn parameters"), std::string::npos)
      << message;
  message = sample_error_of(kSampleSpec, {"structure.sample.baseline.k=40", "structure.sample.baseline.p=0"});
  EXPECT_NE(message.find("structure.sample.baseline: the generator refuses it: "), std::string::npos) << message;
}

TEST(StructureSample, NamesWhatIsWrongWithTheSample) {
  const std::string head =
      "experiment: sampled\n"
      "dataset: {plugin: fixture_dataset}\n"
      "model: {plugin: fixture_model}\n"
      "structure:\n"
      "  plugin: ws_flex\n"
      "  n: 16\n";
  auto sample_with = [&](const std::string& body) { return sample_error_of(head + "  sample:\n" + body); };
  const std::string bins = "    bins: {average_clustering: [0, 1, 4]}\n";
  const std::string ranges = "    ranges: {p: [0, 1]}\n";

  std::string message = sample_with("    candidates: 50\n    ranges: {q: [0, 1]}\n" + bins);
  EXPECT_NE(message.find("structure.sample.ranges.q: generator 'ws_flex' has no parameter 'q'; its numeric "
                         "parameters: n, k, p"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(":9:"), std::string::npos) << "the line of the range: " << message;

  message = sample_with("    candidates: 50\n    ranges: {p: [1, 0]}\n" + bins);
  EXPECT_NE(message.find("structure.sample.ranges.p: expected [low, high] with low <= high, both within ±2^53, got "
                         "[1, 0]"),
            std::string::npos)
      << message;
  message = sample_error_of(
      "experiment: sampled\n"
      "dataset: {plugin: fixture_dataset}\n"
      "model: {plugin: fixture_model}\n"
      "structure:\n"
      "  plugin: ws_flex\n"
      "  sample: {candidates: 50, ranges: {n: [4, 100000000000000000]}, bins: {average_clustering: [0, 1, 4]}}\n");
  EXPECT_NE(message.find("structure.sample.ranges.n: expected [low, high] with low <= high, both within ±2^53 "
                         "(whole numbers: the parameter is an integer)"),
            std::string::npos)
      << message;

  message = sample_with("    candidates: 50\n" + ranges + "    bins: {clustering: [0, 1, 4]}\n");
  EXPECT_NE(message.find("structure.sample.bins.clustering: unknown graph metric 'clustering'; the graph code "
                         "computes: vertices, edges, density"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("average_clustering"), std::string::npos) << message;

  message = sample_with("    candidates: 50\n" + ranges + "    bins: {average_clustering: [1, 0, 4]}\n");
  EXPECT_NE(message.find("expected [low, high, bins] with low < high and 1 to 1000 bins, got [1, 0, 4]"),
            std::string::npos)
      << message;

  message = sample_with("    candidates: 0\n" + ranges + bins);
  EXPECT_NE(message.find("structure.sample.candidates: expected 1 to 1000000 graphs to draw, got 0"),
            std::string::npos)
      << message;

  message = sample_with("    candidates: 50\n    per_bin: 0\n" + ranges + bins);
  EXPECT_NE(message.find("structure.sample.per_bin: expected at least 1 graph per bin, got 0"), std::string::npos)
      << message;

  message = sample_with("    candidates: 50\n    seed: -3\n" + ranges + bins);
  EXPECT_NE(message.find("structure.sample.seed: expected a non-negative seed, got -3"), std::string::npos)
      << message;

  message = sample_with(ranges + bins);
  EXPECT_NE(message.find("structure.sample.candidates: required key is missing"), std::string::npos) << message;

  message = sample_with("    candidates: 50\n" + ranges);
  EXPECT_NE(message.find("structure.sample.bins: expected at least one metric to bin"), std::string::npos)
      << message;

  message = sample_with("    candidates: 50\n    ranges: {k: [2, 6]}\n    bins: {average_clustering: [0.99, 1, 1]}\n");
  EXPECT_NE(message.find("structure.sample: none of the 50 graphs drawn falls into the bins (0 refused by the "
                         "generator, 50 measured outside); widen the bins or the ranges"),
            std::string::npos)
      << message;

  message = sample_with("    candidates: 50\n    ranges: {k: [0, 1.5]}\n" + bins);
  EXPECT_NE(message.find("(50 refused by the generator, e.g. "), std::string::npos) << message;
  EXPECT_NE(message.find("must be in [2, n-1]"), std::string::npos) << "the generator's own words: " << message;
}

TEST(StructureSample, RefusesToBeVariedOrOverriddenTwice) {
  const std::string spec_with_k = kSampleSpec;
  std::string message = sample_error_of(kSampleSpec + "grid: {structure.n: [16, 20]}\n");
  EXPECT_NE(message.find("grid.structure.n: the structure sample chooses the structure; a grid cannot vary it"),
            std::string::npos)
      << message;
  message = sample_error_of(kSampleSpec + "grid: {structure.sample.candidates: [10, 20]}\n");
  EXPECT_NE(message.find("grid.structure.sample.candidates: the grid cannot vary the structure sample"),
            std::string::npos)
      << message;
  message = sample_error_of(kSampleSpec, {"structure.k=4"});
  EXPECT_NE(message.find("structure.k: the structure sample draws this parameter"), std::string::npos) << message;
  message = sample_error_of(kSampleSpec, {"structure.graph_seed=4"});
  EXPECT_NE(message.find("structure.graph_seed: the structure sample gives every graph it keeps its own "
                         "graph_seed"),
            std::string::npos)
      << message;
  // the orientation neither: the candidates were measured as the spec orients them
  message = sample_error_of(kSampleSpec + "grid: {structure.orient: [index, random]}\n");
  EXPECT_NE(message.find("grid.structure.orient: the structure sample chooses the structure"), std::string::npos)
      << message;
  // every other section stays free to vary
  EXPECT_EQ(plan_sample(kSampleSpec + "grid: {training.lr: [0.1, 0.2]}\n").runs.size(),
            plan_sample(kSampleSpec).runs.size() * 2);
}

TEST(StructureSample, AFixedGraphSeedIsTheSameGraphForEverySeed) {
  ExperimentPlan plan = plan_text(std::string(kMinimalSpec) + "seeds: [1, 2]\n", {"structure.graph_seed=9"});
  ASSERT_EQ(plan.runs.size(), 2u);
  EXPECT_EQ(plan.runs[0].graph_seed, 9);
  EXPECT_EQ(plan.runs[1].graph_seed, 9);
  EXPECT_EQ(plan_text(kMinimalSpec).runs[0].graph_seed, -1) << "default: derived from the run's seed";
  EXPECT_NE(plan.runs[0].spec_hash, plan_text(std::string(kMinimalSpec) + "seeds: [1, 2]\n").runs[0].spec_hash)
      << "a fixed graph seed is a different run";
  const std::string message = config_error_of(kMinimalSpec, {"structure.graph_seed=-2"});
  EXPECT_NE(message.find("structure.graph_seed"), std::string::npos) << message;
}

}  // namespace
}  // namespace structlab::spec
