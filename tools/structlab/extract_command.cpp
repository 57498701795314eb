// `structlab extract MODEL.pt`: the neuron and channel graph of a TorchScript model, its metrics, optionally
// saved.

#include <fmt/core.h>

#include <cctype>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "metrics_output.hpp"
#include "structlab/error.hpp"
#include "structlab/graph/io.hpp"
#include "structlab/graph/metrics.hpp"
#include "structlab/nn/extract_graph.hpp"

namespace structlab::cli {
namespace {

struct ExtractCommandOptions {
  std::filesystem::path model;
  std::string input_shape;
  double threshold = 0.0;
  MetricsFlags metrics;
  std::string format;
  std::string output;
};

// "1,28,28" -> {1, 28, 28}; spaces around the numbers are allowed.
std::vector<std::int64_t> parse_input_shape(const std::string& text) {
  auto refuse = [&text]() {
    return ConfigError(
        "--input-shape '" + text +
        "': expected one sample's shape without the batch dimension, as positive integers separated "
        "by commas, e.g. 1,28,28");
  };
  std::vector<std::int64_t> shape;
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t end = text.find(',', at);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(at, end - at);
    const auto first = item.find_first_not_of(' ');
    const auto last = item.find_last_not_of(' ');
    if (first == std::string::npos) throw refuse();
    item = item.substr(first, last - first + 1);
    if (item.size() > 9) throw refuse();
    for (char c : item) {
      if (!std::isdigit(static_cast<unsigned char>(c))) throw refuse();
    }
    const std::int64_t size = std::stoll(item);
    if (size < 1) throw refuse();
    shape.push_back(size);
    at = end + 1;
  }
  return shape;
}

// "784 features, vertices 0-783" / "1 channel, vertices 0-0".
std::string units_text(std::int64_t count, const std::string& what, graph::VertexId first) {
  const std::string noun = count == 1 ? what.substr(0, what.size() - 1) : what;
  return fmt::format("{} {}, vertices {}-{}", count, noun, first, first + count - 1);
}

void print_layers(const nn::ExtractedGraph& extracted, const std::string& model) {
  auto row = [](const std::string& name, const std::string& value) {
    fmt::print("{:<28} {}\n", name, value);
  };
  row("model", model);
  row("input", units_text(extracted.input_units, extracted.input_is_channels ? "channels" : "features", 0));
  for (const auto& layer : extracted.layers) {
    const char* units = layer.kind == nn::ExtractedLayerKind::conv2d ? "channels" : "features";
    row(fmt::format("{} ({})", layer.name, nn::to_string(layer.kind)),
        fmt::format("{} -> {}, {} edges", layer.in_units,
                    units_text(layer.out_units, units, layer.first_vertex), layer.edges));
  }
}

nlohmann::json layers_json(const nn::ExtractedGraph& extracted, const ExtractCommandOptions& options) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& layer : extracted.layers) {
    layers.push_back({{"name", layer.name},
                      {"kind", nn::to_string(layer.kind)},
                      {"in_units", layer.in_units},
                      {"out_units", layer.out_units},
                      {"first_vertex", layer.first_vertex},
                      {"edges", layer.edges}});
  }
  return {
      {"model", options.model.string()},
      {"threshold", options.threshold},
      {"input",
       {{"units", extracted.input_units}, {"kind", extracted.input_is_channels ? "channels" : "features"}}},
      {"layers", layers}};
}

int run_extract(const ExtractCommandOptions& options) {
  std::optional<graph::GraphFormat> format;
  if (!options.format.empty()) format = graph::parse_graph_format(options.format);
  if (!options.output.empty() && !format)
    graph::format_from_extension(options.output);  // refuse before the work
  check_metrics_flags(options.metrics);
  nn::ExtractOptions extract;
  extract.threshold = options.threshold;
  if (!options.input_shape.empty()) extract.input_shape = parse_input_shape(options.input_shape);

  nn::ExtractedGraph extracted = nn::extract_model_graph(options.model, extract);
  graph::GraphMetrics metrics = command_metrics(extracted.graph, options.metrics, 0);

  if (!options.output.empty()) graph::write_graph(extracted.graph, options.output, format);
  if (format == graph::GraphFormat::json) {
    nlohmann::json out = layers_json(extracted, options);
    out["metrics"] = nlohmann::json::parse(metrics.to_json());
    std::cout << out.dump(2) << "\n";
  } else {
    print_layers(extracted, options.model.string());
    print_metrics_table(metrics);
    if (!options.output.empty()) fmt::print("{:<28} {}\n", "written to", options.output);
  }
  return 0;
}

}  // namespace

void add_extract_command(CLI::App& app, const GlobalOptions& /*global*/, CommandRunner& selected) {
  auto options = std::make_shared<ExtractCommandOptions>();
  auto* command = app.add_subcommand(
      "extract",
      "The neuron and channel graph of a TorchScript model (Linear and Conv2d layers) and its metrics");
  command
      ->add_option("model", options->model,
                   "TorchScript model file (torch.jit.script or torch.jit.trace, saved)")
      ->required();
  command->add_option(
      "--input-shape", options->input_shape,
      "One sample's shape without the batch dimension, e.g. 1,28,28: check the model accepts it "
      "(one forward pass on zeros) before extracting");
  command->add_option(
      "--threshold", options->threshold,
      "A weight is an edge when its magnitude is above this (default 0: every non-zero weight)");
  add_metrics_flags(*command, options->metrics);
  command->add_option(
      "--format", options->format,
      "edgelist, graphml, dot or json: the file format of -o (default: its extension); json also "
      "prints the layers and metrics as JSON");
  command->add_option("-o,--output", options->output, "Also write the graph to this file");
  command->callback([&selected, options] { selected = [options] { return run_extract(*options); }; });
}

}  // namespace structlab::cli
