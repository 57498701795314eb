// The JSON a report page draws from.

#include "results/report_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "results/structure_drawing.hpp"

namespace structlab::results::detail {
namespace {

nlohmann::json number_or_null(double value) {
  if (!std::isfinite(value)) return nullptr;
  return value;
}

nlohmann::json metric_or_null(const std::map<std::string, double>& metrics, const std::string& name) {
  auto found = metrics.find(name);
  return found == metrics.end() ? nlohmann::json(nullptr) : number_or_null(found->second);
}

// A grid value as a number when it is one, so the page can sort and place it on an axis.
nlohmann::json grid_value(const std::string& text) {
  if (text.empty()) return text;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  // an integer a double cannot hold exactly (a sampled structure's graph_seed) stays text, to be read and copied
  const bool whole = text.find_first_of(".eE") == std::string::npos;
  if (whole && std::abs(value) > 9007199254740992.0) return text;
  if (end == text.c_str() + text.size() && std::isfinite(value)) return value;
  return text;
}

nlohmann::json run_data(const CollectedRun& run) {
  const archive::ArchiveMetadata& metadata = run.metadata;
  nlohmann::json data;
  data["run_id"] = run.run_id;
  data["experiment"] = run.experiment;
  data["config"] = grid_point_text(run);
  data["seed"] = run.seed ? nlohmann::json(*run.seed) : nlohmann::json(nullptr);
  data["status"] = run.status;
  data["message"] = run.message;
  data["path"] = metadata.path.string();
  nlohmann::json grid = nlohmann::json::object();
  for (const auto& [key, value] : run.grid_point) grid[key] = grid_value(value);
  data["grid"] = grid;
  nlohmann::json graph = nlohmann::json::object();
  for (const auto& [name, value] : metadata.structure_metrics) graph[name] = number_or_null(value);
  data["graph"] = graph;
  nlohmann::json stages = nlohmann::json::array();
  for (const archive::StageMetadata& stage : metadata.stages) {
    nlohmann::json layers = nlohmann::json::array();
    for (const archive::LayerCounts& layer : stage.layers) {
      layers.push_back(
          {{"name", layer.name},
           {"active", layer.active},
           {"total", layer.total},
           {"density", layer.total > 0 ? static_cast<double>(layer.active) / layer.total : 0.0}});
    }
    stages.push_back({{"index", stage.index},
                      {"description", stage.description},
                      {"series", stage.series},
                      {"test_accuracy", metric_or_null(stage.metrics, "test_accuracy")},
                      {"test_loss", metric_or_null(stage.metrics, "test_loss")},
                      {"density", metric_or_null(stage.metrics, "density")},
                      {"active_weights", metric_or_null(stage.metrics, "active_weights")},
                      {"layers", layers}});
  }
  data["stages"] = stages;
  nlohmann::json history = {{"stage", nlohmann::json::array()},
                            {"epoch", nlohmann::json::array()},
                            {"train_loss", nlohmann::json::array()},
                            {"test_loss", nlohmann::json::array()},
                            {"test_accuracy", nlohmann::json::array()}};
  double seconds = 0;
  for (const archive::HistoryRow& row : metadata.history) {
    history["stage"].push_back(row.stage);
    history["epoch"].push_back(row.epoch);
    history["train_loss"].push_back(number_or_null(row.train_loss));
    history["test_loss"].push_back(number_or_null(row.test_loss));
    history["test_accuracy"].push_back(number_or_null(row.test_accuracy));
    seconds += row.seconds;
  }
  data["history"] = history;
  data["seconds"] = metadata.history.empty() ? nlohmann::json(nullptr) : nlohmann::json(seconds);
  return data;
}

// Vertices per layer and in/out degree histograms, for structures too large to draw.
nlohmann::json structure_summary(const archive::StoredGraph& graph) {
  std::vector<std::int64_t> in_degree(static_cast<std::size_t>(graph.num_vertices), 0);
  std::vector<std::int64_t> out_degree(static_cast<std::size_t>(graph.num_vertices), 0);
  for (const auto& [source, target] : graph.edges) {
    if (source >= 0 && source < graph.num_vertices) ++out_degree[static_cast<std::size_t>(source)];
    if (target >= 0 && target < graph.num_vertices) ++in_degree[static_cast<std::size_t>(target)];
  }
  auto histogram = [](const std::vector<std::int64_t>& degrees) {
    std::map<std::int64_t, std::int64_t> counts;
    for (std::int64_t degree : degrees) ++counts[degree];
    nlohmann::json bins = nlohmann::json::array();
    for (const auto& [degree, count] : counts) bins.push_back({degree, count});
    return bins;
  };
  std::map<std::int32_t, std::int64_t> widths;
  for (std::int32_t layer : graph.layer_of_vertex) ++widths[layer];
  nlohmann::json layer_widths = nlohmann::json::array();
  for (const auto& [layer, width] : widths) layer_widths.push_back({layer, width});
  return {{"vertices", graph.num_vertices},
          {"edges", graph.edges.size()},
          {"layer_widths", layer_widths},
          {"in_degree", histogram(in_degree)},
          {"out_degree", histogram(out_degree)}};
}

// The runs worth drawing: the first run of each configuration with a structure, up to the limit.
nlohmann::json drawings(const Collection& collection, const ReportOptions& options) {
  nlohmann::json all = nlohmann::json::array();
  std::set<std::string> drawn_configs;
  for (const CollectedRun& run : collection.runs) {
    if (static_cast<int>(all.size()) >= options.max_drawn_runs) break;
    const archive::ArchiveMetadata& metadata = run.metadata;
    if (metadata.structure.num_vertices == 0 || metadata.stages.empty()) continue;
    if (!drawn_configs.insert(run.experiment + " " + grid_point_text(run)).second) continue;
    const archive::StageMetadata& first = metadata.stages.front();
    const archive::StageMetadata& last = result_stage(metadata);
    nlohmann::json drawing = {{"run_id", run.run_id},
                              {"config", grid_point_text(run)},
                              {"experiment", run.experiment},
                              {"vertices", metadata.structure.num_vertices},
                              {"before_stage", first.description},
                              {"after_stage", last.description}};
    const std::vector<std::int32_t>& layers = metadata.structure.layer_of_vertex;
    if (metadata.structure.num_vertices <= options.max_drawn_vertices) {
      drawing["before_svg"] = render_svg(options.dot_program, structure_dot(first.structure, layers));
      drawing["after_svg"] = render_svg(options.dot_program, structure_dot(last.structure, layers));
    } else {
      drawing["before_summary"] = structure_summary(first.structure);
      drawing["after_summary"] = structure_summary(last.structure);
    }
    all.push_back(std::move(drawing));
  }
  return all;
}

nlohmann::json experiments(const Collection& collection) {
  std::map<std::string, nlohmann::json> by_name;
  std::vector<std::string> order;
  for (const CollectedRun& run : collection.runs) {
    auto [entry, added] = by_name.emplace(run.experiment, nlohmann::json::object());
    nlohmann::json& experiment = entry->second;
    if (added) {
      order.push_back(run.experiment);
      experiment = {{"name", run.experiment}, {"spec", ""}, {"grid", nlohmann::json::object()}, {"runs", 0}};
    }
    experiment["runs"] = experiment["runs"].get<int>() + 1;
    if (experiment["spec"].get<std::string>().empty()) experiment["spec"] = run.metadata.spec_yaml;
    for (const auto& [key, value] : run.grid_point) {
      nlohmann::json& values = experiment["grid"][key];
      if (!values.is_array()) values = nlohmann::json::array();
      nlohmann::json v = grid_value(value);
      if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
    }
  }
  nlohmann::json all = nlohmann::json::array();
  for (const std::string& name : order) all.push_back(by_name[name]);
  return all;
}

}  // namespace

nlohmann::json report_data(const Collection& collection, const ReportOptions& options) {
  nlohmann::json runs = nlohmann::json::array();
  for (const CollectedRun& run : collection.runs) runs.push_back(run_data(run));
  return {{"title", options.title},
          {"experiments", experiments(collection)},
          {"runs", runs},
          {"drawings", drawings(collection, options)},
          {"warnings", collection.warnings}};
}

}  // namespace structlab::results::detail
