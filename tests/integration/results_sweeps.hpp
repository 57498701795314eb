#pragma once
// Small real sweeps for the collect and report tests: a CSV classification task that trains in a blink, and
// specs for a single run, a pruned sweep with two seeds and a structure grid.

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <string>

#include "support/run_process.hpp"

namespace structlab::testing {

/// Writes `data.csv` under \p dir: 240 rows of four features in [0, 1) and label x0 + x1 > 1.
inline std::string write_classification_csv(const std::string& dir) {
  std::string path = dir + "/data.csv";
  std::ofstream out(path);
  out << "a,b,c,d,label\n";
  for (int i = 0; i < 240; ++i) {
    double a = std::fmod(i * 0.618034, 1.0), b = std::fmod(i * 0.414214, 1.0);
    double c = std::fmod(i * 0.732051, 1.0), d = std::fmod(i * 0.236068, 1.0);
    out << fmt::format("{:.4f},{:.4f},{:.4f},{:.4f},{}\n", a, b, c, d, a + b > 1.0 ? 1 : 0);
  }
  return path;
}

/// The common head of every spec: experiment \p name on the CSV task.
inline std::string spec_head(const std::string& name, const std::string& csv, const std::string& seeds) {
  return fmt::format("experiment: {}\nseeds: {}\ndataset: {{plugin: csv, path: {}, target: label}}\n", name,
                     seeds, csv);
}

/// One run of a dense FFN, no pruning.
inline std::string single_run_spec(const std::string& csv) {
  return spec_head("single", csv, "[3]") +
         "model: {plugin: ffn, hidden_widths: [8]}\n"
         "training: {optimizer: adam, lr: 0.02, batch_size: 32, epochs: 3, threads: 1}\n";
}

/// 2 learning rates x 2 seeds of an FFN pruned in 2 iterative levels: 4 runs of 3 stages.
inline std::string pruned_sweep_spec(const std::string& csv) {
  return spec_head("pruned", csv, "[1, 2]") +
         "model: {plugin: ffn, hidden_widths: [8, 6]}\n"
         "training: {optimizer: adam, lr: 0.02, batch_size: 32, epochs: 2, threads: 1}\n"
         "pruning: {plugin: magnitude_global, selection: {rule: fraction, amount: 0.4},\n"
         "          schedule: {kind: iterative, levels: 2, rewind: init}}\n"
         "grid: {training.lr: [0.01, 0.05]}\n";
}

/// 2 x 2 grid over (p, k) of Newman–Watts–Strogatz DANs, one seed, pruned once: 4 runs of 2 stages.
inline std::string structure_grid_spec(const std::string& csv) {
  return spec_head("structures", csv, "[1]") +
         "structure: {plugin: newman_watts_strogatz, n: 16, k: 2, p: 0.1, orient: random}\n"
         "model: {plugin: dan, layer_norm: true}\n"
         "training: {optimizer: adam, lr: 0.02, batch_size: 32, epochs: 2, threads: 1}\n"
         "pruning: {plugin: magnitude_global, selection: {rule: fraction, amount: 0.5}, schedule: {kind: "
         "one_shot}}\n"
         "grid: {structure.p: [0.1, 0.9], structure.k: [2, 4]}\n";
}

/// A structure sample of 8-vertex WS-flex graphs over 4 x 4 bins of C and L, each a relational MLP, one seed.
inline std::string structure_sample_spec(const std::string& csv) {
  return spec_head("sampled", csv, "[1]") +
         "structure:\n"
         "  plugin: ws_flex\n"
         "  n: 8\n"
         "  sample: {candidates: 200, ranges: {k: [2, 7], p: [0, 1]},\n"
         "           bins: {average_clustering: [0, 1, 4], average_shortest_path_length: [1, 3, 4]}}\n"
         "model: {plugin: relational_mlp, layers: 2, width: 8}\n"
         "training: {optimizer: adam, lr: 0.02, batch_size: 32, epochs: 2, threads: 1}\n";
}

/// Writes \p spec to `<dir>/<name>.yaml` and runs it into `<dir>/runs`; returns the run's result.
inline ProcessResult run_spec(const std::string& dir, const std::string& name, const std::string& spec) {
  std::ofstream(dir + "/" + name + ".yaml") << spec;
  return run_structlab(fmt::format("run {0}/{1}.yaml --out {0}/runs", dir, name));
}

}  // namespace structlab::testing
