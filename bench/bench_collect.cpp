// Figures for `structlab collect`: reading 1000 small run archives into the long table and writing it as CSV,
// from metadata only. Reference (issue 12): collect_1000_archives_s <= 5 s on 2 cores.

#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "bench.hpp"
#include "structlab/archive/run_archive.hpp"
#include "structlab/results/collected_run.hpp"
#include "structlab/results/run_table.hpp"
#include "structlab/results/table_format.hpp"

namespace structlab::bench {
namespace {

namespace fs = std::filesystem;

// A small pruned DAN run as the runner writes it: a 64-vertex structure with 20 metrics, 6 stages of 4 layers
// with metrics and a regenerated structure, 5 epochs of history per stage, a 40-line spec.
void write_small_archive(const fs::path& path, int variant) {
  archive::RunArchiveWriter writer(path);
  archive::RunAttributes attributes;
  attributes.structlab_version = "bench";
  attributes.run_id = "bench-" + std::to_string(1000000000 + variant);
  attributes.spec_hash = std::to_string(1000000000 + variant);
  attributes.seed = static_cast<std::uint64_t>(variant % 3);
  attributes.start_time = "2026-11-30T00:00:00Z";
  attributes.plugins = {{"dataset", "idx", "1.0.0", "/x/libidx.so"},
                        {"structure", "nws", "1.0.0", "/x/libnws.so"},
                        {"model", "dan", "1.0.0", "/x/libdan.so"},
                        {"pruning", "magnitude_global", "1.0.0", "/x/libm.so"}};
  writer.write_run_attributes(attributes);
  std::ostringstream spec;
  spec << "experiment: bench\nseeds: [" << variant % 3 << "]\ndataset:\n  plugin: idx\n  path: /data\n"
       << "structure:\n  plugin: newman_watts_strogatz\n  n: 64\n  k: 4\n  p: 0." << variant % 9 + 1 << "\n"
       << "  orient: random\nmodel:\n  plugin: dan\n  layer_norm: true\ntraining:\n  optimizer: adam\n"
       << "  lr: 0.003\n  batch_size: 128\n  epochs: 5\n  momentum: 0.9\n  weight_decay: 0\n"
       << "pruning:\n  plugin: magnitude_global\n  selection:\n    rule: fraction\n    amount: 0.2\n"
       << "  schedule:\n    kind: iterative\n    levels: 5\n    rewind: init\n";
  writer.write_spec(spec.str());
  std::vector<graph::Edge> edges;
  for (std::int64_t v = 0; v + 8 < 64; ++v) edges.push_back({v, v + 8});
  graph::LayeredGraph structure(64, edges);
  std::map<std::string, double> metrics;
  for (int m = 0; m < 20; ++m) metrics["metric_" + std::to_string(m)] = m * 0.5;
  writer.write_structure(structure, metrics);
  for (int index = 0; index < 6; ++index) {
    archive::StageRecord stage;
    stage.index = index;
    stage.description = index == 0 ? "trained" : "pruned level " + std::to_string(index);
    for (int l = 0; l < 4; ++l) {
      archive::LayerRecord layer;
      layer.name = "main_" + std::to_string(l);
      layer.source_layer = l - 1;
      layer.target_layer = l;
      layer.weight = torch::ones({16, 16});
      layer.bias = torch::zeros({16});
      layer.mask = torch::ones({16, 16}, torch::kBool);
      stage.layers.push_back(layer);
    }
    stage.structure = structure;
    stage.structure_metrics = metrics;
    stage.metrics = {{"test_loss", 0.5},          {"test_accuracy", 0.8}, {"active_weights", 1024},
                     {"total_weights", 1024},     {"density", 1.0},       {"parameters", 1100},
                     {"hidden_units", 64},        {"dead_units", 0},      {"units_without_inputs", 0},
                     {"units_without_outputs", 0}};
    writer.write_stage(stage);
    for (std::int64_t epoch = 1; epoch <= 5; ++epoch) {
      writer.append_history({index, epoch, 0.5, 0.8, 0.5, 0.8, 0.003, 1.5, 1024});
    }
  }
  writer.finish("completed", "", "2026-11-30T00:01:00Z");
}

std::map<std::string, double> measure_collect(const BenchOptions& options) {
  const int archives = options.quick ? 100 : 1000;
  const int distinct = 10;
  fs::path dir = fs::temp_directory_path() / ("structlab-bench-collect-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  for (int v = 0; v < distinct; ++v)
    write_small_archive(dir / "sources" / ("bench-" + std::to_string(v) + ".h5"), v);
  for (int i = 0; i < archives; ++i) {
    fs::path target = dir / "runs" / ("bench-" + std::to_string(2000000000 + i) + ".h5");
    fs::create_directories(target.parent_path());
    fs::copy_file(dir / "sources" / ("bench-" + std::to_string(i % distinct) + ".h5"), target);
  }
  std::size_t rows = 0;
  std::size_t bytes = 0;
  double seconds = best_seconds_of(2, [&] {
    results::Collection collection = results::collect_runs({dir / "runs"});
    results::RunTable table = results::build_run_table(collection.runs);
    std::ostringstream csv;
    results::write_csv(csv, table);
    rows = table.rows.size();
    bytes = csv.str().size();
  });
  fs::remove_all(dir);
  const std::string name = "collect_" + std::to_string(archives) + "_archives_s";
  return {{name, seconds},
          {"collect_per_archive_ms", 1000.0 * seconds / archives},
          {"collect_rows", static_cast<double>(rows)},
          {"collect_csv_mb", static_cast<double>(bytes) / 1e6},
          {"collect_reference_s", 5.0}};
}

const bool registered = register_group("collect", measure_collect);

}  // namespace
}  // namespace structlab::bench
