// `structlab inspect RUN.h5 [--json]`: what a run archive holds, without h5py.

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "structlab/archive/archive_status.hpp"
#include "structlab/archive/run_archive.hpp"
#include "structlab/error.hpp"

namespace structlab::cli {
namespace {

struct InspectOptions {
  std::filesystem::path archive;
  bool json = false;
};

std::string attribute_or(const archive::ArchiveSummary& summary, const std::string& name,
                         const std::string& fallback = "") {
  auto it = summary.attributes.find(name);
  return it == summary.attributes.end() ? fallback : it->second;
}

// Names in reading order: runs of digits compare as numbers, so layer_width_2 comes before layer_width_10.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      std::size_t end_a = i, end_b = j;
      while (end_a < a.size() && digit(a[end_a])) ++end_a;
      while (end_b < b.size() && digit(b[end_b])) ++end_b;
      // without leading zeros, the longer run is the larger number
      while (i + 1 < end_a && a[i] == '0') ++i;
      while (j + 1 < end_b && b[j] == '0') ++j;
      if (end_a - i != end_b - j) return end_a - i < end_b - j;
      int order = a.compare(i, end_a - i, b, j, end_b - j);
      if (order != 0) return order < 0;
      i = end_a;
      j = end_b;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::vector<std::pair<std::string, double>> in_natural_order(const std::map<std::string, double>& metrics) {
  std::vector<std::pair<std::string, double>> rows(metrics.begin(), metrics.end());
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& x, const auto& y) { return natural_less(x.first, y.first); });
  return rows;
}

double metric_or_nan(const std::map<std::string, double>& metrics, const std::string& name) {
  auto it = metrics.find(name);
  return it == metrics.end() ? std::nan("") : it->second;
}

// NaN (a regression's accuracy, a metric the run did not record) becomes JSON null.
nlohmann::json number(double value) {
  return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}

std::string cell(double value, int decimals) {
  return std::isnan(value) ? "-" : fmt::format("{:.{}f}", value, decimals);
}

// Plugins are recorded as attributes plugin.<role>.<field>; gather them back per role.
nlohmann::json plugins_json(const archive::ArchiveSummary& summary) {
  nlohmann::json plugins = nlohmann::json::object();
  const std::string prefix = "plugin.";
  for (const auto& [name, value] : summary.attributes) {
    if (name.rfind(prefix, 0) != 0) continue;
    std::string rest = name.substr(prefix.size());
    auto dot = rest.rfind('.');
    if (dot == std::string::npos) continue;
    plugins[rest.substr(0, dot)][rest.substr(dot + 1)] = value;
  }
  return plugins;
}

nlohmann::json stage_json(const archive::StageRecord& stage) {
  std::int64_t active = 0, total = 0;
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& layer : stage.layers) {
    std::int64_t layer_active = layer.mask.sum().item<std::int64_t>();
    active += layer_active;
    total += layer.mask.numel();
    layers.push_back({{"name", layer.name},
                      {"source_layer", layer.source_layer},
                      {"target_layer", layer.target_layer},
                      {"active", layer_active},
                      {"total", layer.mask.numel()}});
  }
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& [name, value] : stage.metrics) metrics[name] = number(value);
  nlohmann::json structure_metrics = nlohmann::json::object();
  for (const auto& [name, value] : stage.structure_metrics) structure_metrics[name] = number(value);
  return {{"index", stage.index},
          {"description", stage.description},
          {"active_weights", active},
          {"total_weights", total},
          {"density", total > 0 ? number(static_cast<double>(active) / static_cast<double>(total)) : nullptr},
          {"test_accuracy", number(metric_or_nan(stage.metrics, "test_accuracy"))},
          {"test_loss", number(metric_or_nan(stage.metrics, "test_loss"))},
          {"metrics", metrics},
          {"layers", layers},
          {"structure",
           {{"num_vertices", stage.structure.num_vertices()},
            {"num_edges", stage.structure.num_edges()},
            {"metrics", structure_metrics}}}};
}

nlohmann::json summary_json(const archive::ArchiveSummary& summary) {
  nlohmann::json out;
  out["attributes"] = summary.attributes;
  out["plugins"] = plugins_json(summary);
  out["spec"] = summary.spec_yaml;
  nlohmann::json structure_metrics = nlohmann::json::object();
  for (const auto& [name, value] : summary.structure_metrics) structure_metrics[name] = number(value);
  out["structure"] = {{"num_vertices", summary.structure.num_vertices()},
                      {"num_edges", summary.structure.num_edges()},
                      {"metrics", structure_metrics}};
  out["stages"] = nlohmann::json::array();
  for (const auto& stage : summary.stages) out["stages"].push_back(stage_json(stage));
  out["history"] = nlohmann::json::array();
  for (const auto& row : summary.history) {
    out["history"].push_back({{"stage", row.stage},
                              {"epoch", row.epoch},
                              {"train_loss", number(row.train_loss)},
                              {"train_accuracy", number(row.train_accuracy)},
                              {"test_loss", number(row.test_loss)},
                              {"test_accuracy", number(row.test_accuracy)},
                              {"learning_rate", number(row.learning_rate)},
                              {"seconds", number(row.seconds)},
                              {"active_weights", row.active_weights}});
  }
  return out;
}

void print_text(const archive::ArchiveSummary& summary, const nlohmann::json& json) {
  fmt::print("run        {}\n", attribute_or(summary, "run_id", "(unknown)"));
  fmt::print("status     {}\n", attribute_or(summary, "status", "(unknown)"));
  std::string message = attribute_or(summary, "message");
  if (!message.empty()) fmt::print("message    {}\n", message);
  fmt::print("seed       {}\n", attribute_or(summary, "seed", "(unknown)"));
  fmt::print("spec hash  {}\n", attribute_or(summary, "spec_hash", "(unknown)"));
  fmt::print("time       {} .. {}\n", attribute_or(summary, "start_time"), attribute_or(summary, "end_time"));
  const std::string isa = attribute_or(summary, "sparse_kernels_isa");
  fmt::print("written by structlab {}, LibTorch {}{}, on {}\n", attribute_or(summary, "structlab_version"),
             attribute_or(summary, "torch_version"), isa.empty() ? "" : " (sparse kernels for " + isa + ")",
             attribute_or(summary, "host"));
  for (const auto& [role, plugin] : json["plugins"].items()) {
    fmt::print("plugin     {:<10} {} {}  {}\n", role, plugin.value("name", ""), plugin.value("version", ""),
               plugin.value("path", ""));
  }

  fmt::print("\nstructure  {} vertices, {} edges\n", summary.structure.num_vertices(),
             summary.structure.num_edges());
  std::size_t name_width = 24;
  for (const auto& entry : summary.structure_metrics) name_width = std::max(name_width, entry.first.size());
  for (const auto& [name, value] : in_natural_order(summary.structure_metrics)) {
    fmt::print("  {:<{}} {}\n", name, name_width, value);
  }

  fmt::print("\n{:<6} {:<36} {:>12} {:>12} {:>8} {:>9} {:>9}\n", "stage", "description", "active", "total",
             "density", "test_acc", "test_loss");
  for (const auto& stage : json["stages"]) {
    auto real = [](const nlohmann::json& value) {
      return value.is_null() ? std::nan("") : value.get<double>();
    };
    fmt::print("{:<6} {:<36} {:>12} {:>12} {:>8} {:>9} {:>9}\n",
               fmt::format("{:02d}", stage["index"].get<int>()), stage["description"].get<std::string>(),
               stage["active_weights"].get<std::int64_t>(), stage["total_weights"].get<std::int64_t>(),
               cell(real(stage["density"]), 4), cell(real(stage["test_accuracy"]), 4),
               cell(real(stage["test_loss"]), 4));
  }

  fmt::print("\nhistory ({} epochs)\n", summary.history.size());
  if (summary.history.empty()) return;
  fmt::print("{:<6} {:>5} {:>10} {:>9} {:>10} {:>9} {:>10} {:>8} {:>12}\n", "stage", "epoch", "train_loss",
             "train_acc", "test_loss", "test_acc", "lr", "seconds", "active");
  for (const auto& row : summary.history) {
    fmt::print("{:<6} {:>5} {:>10} {:>9} {:>10} {:>9} {:>10} {:>8} {:>12}\n",
               fmt::format("{:02d}", row.stage), row.epoch, cell(row.train_loss, 4),
               cell(row.train_accuracy, 4), cell(row.test_loss, 4), cell(row.test_accuracy, 4),
               fmt::format("{:.3g}", row.learning_rate), cell(row.seconds, 2), row.active_weights);
  }
}

// A run that failed before its structure existed (every data error) leaves an archive with its status and
// message but no /structure or /stages: show what it holds instead of what it lacks.
std::optional<archive::ArchiveSummary> failed_run_summary(const std::filesystem::path& path) {
  std::map<std::string, std::string> attributes;
  try {
    attributes = archive::read_root_attributes(path);
  } catch (const ArchiveError&) {
    return std::nullopt;
  }
  auto status = attributes.find("status");
  if (status == attributes.end() || status->second == "completed") return std::nullopt;
  archive::ArchiveSummary summary;
  summary.attributes = std::move(attributes);
  return summary;
}

void print_failed_run(const archive::ArchiveSummary& summary) {
  fmt::print("run        {}\n", attribute_or(summary, "run_id", "(unknown)"));
  fmt::print("status     {}\n", attribute_or(summary, "status"));
  fmt::print("message    {}\n", attribute_or(summary, "message", "(none)"));
  fmt::print("seed       {}\n", attribute_or(summary, "seed", "(unknown)"));
  fmt::print("time       {} .. {}\n", attribute_or(summary, "start_time"), attribute_or(summary, "end_time"));
  fmt::print("\nthe run stopped before it had a structure or stages; the archive holds only the above\n");
}

int inspect(const InspectOptions& options) {
  // masks are enough for the active-weight counts; the weights themselves can be hundreds of megabytes
  archive::ArchiveSummary summary;
  try {
    summary = archive::read_archive(options.archive, archive::LayerTensors::masks_only);
  } catch (const ArchiveError&) {
    std::optional<archive::ArchiveSummary> failed = failed_run_summary(options.archive);
    if (!failed) throw;
    if (options.json) {
      nlohmann::json json{{"attributes", failed->attributes}, {"plugins", plugins_json(*failed)},
                          {"structure", nullptr},             {"stages", nlohmann::json::array()},
                          {"history", nlohmann::json::array()}};
      std::cout << json.dump(2) << "\n";
    } else {
      print_failed_run(*failed);
    }
    return 0;
  }
  nlohmann::json json = summary_json(summary);
  if (options.json) {
    std::cout << json.dump(2) << "\n";
  } else {
    print_text(summary, json);
  }
  return 0;
}

}  // namespace

void add_inspect_command(CLI::App& app, const GlobalOptions& /*global*/, CommandRunner& selected) {
  auto options = std::make_shared<InspectOptions>();
  auto* command =
      app.add_subcommand("inspect", "Show a run archive: spec summary, structure, stages and history");
  command->add_option("archive", options->archive, "The run's .h5 archive")->required();
  command->add_flag("--json", options->json, "Print JSON instead of tables");
  command->callback([&selected, options] { selected = [options] { return inspect(*options); }; });
}

}  // namespace structlab::cli
