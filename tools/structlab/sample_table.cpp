#include "sample_table.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace structlab::cli {

std::string sample_table(const spec::StructureSample& sample) {
  const bool has_baseline = !sample.kept.empty() && sample.kept.front().candidate < 0;
  std::string out = fmt::format(
      "structure sample: {} {} graphs drawn (sample seed {}), {} refused by the generator, {} outside the bins; "
      "{} kept (at most {} per bin){}\n",
      sample.candidates, sample.generator, sample.seed, sample.invalid, sample.outside,
      sample.kept.size() - (has_baseline ? 1 : 0), sample.per_bin, has_baseline ? ", and the baseline" : "");
  if (!sample.first_invalid.empty()) out += "  first refusal: " + sample.first_invalid + "\n";
  std::vector<std::string> header{"#", "candidate"};
  header.insert(header.end(), sample.ranges.begin(), sample.ranges.end());
  header.emplace_back("graph_seed");
  for (const auto& bins : sample.bins) header.push_back(bins.metric);
  header.emplace_back("bin");
  std::vector<std::vector<std::string>> rows{header};
  for (std::size_t k = 0; k < sample.kept.size(); ++k) {
    const auto& kept = sample.kept[k];
    std::vector<std::string> row{std::to_string(k), kept.candidate < 0 ? "baseline" : std::to_string(kept.candidate)};
    for (const auto& [name, value] : kept.parameters) {
      row.push_back(std::holds_alternative<double>(value) ? fmt::format("{:.4g}", std::get<double>(value))
                                                          : to_yaml(value));
    }
    row.push_back(std::to_string(kept.graph_seed));
    for (double measure : kept.measures) row.push_back(fmt::format("{:.4f}", measure));
    row.push_back(kept.candidate < 0 && std::find(kept.bin.begin(), kept.bin.end(), -1) != kept.bin.end()
                      ? "outside"
                      : fmt::format("[{}]", fmt::join(kept.bin, ", ")));
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line = " ";
    for (std::size_t c = 0; c < row.size(); ++c) line += fmt::format(" {:<{}}", row[c], widths[c]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

nlohmann::json sample_json(const spec::StructureSample& sample) {
  nlohmann::json bins = nlohmann::json::array();
  for (const auto& b : sample.bins) bins.push_back({{"metric", b.metric}, {"low", b.low}, {"high", b.high}, {"count", b.count}});
  nlohmann::json kept = nlohmann::json::array();
  for (const auto& graph : sample.kept) {
    nlohmann::json parameters = nlohmann::json::object();
    for (const auto& [name, value] : graph.parameters) {
      std::visit(
          [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::int64_t> || std::is_same_v<V, double>) parameters[name] = v;
            else parameters[name] = to_yaml(value);
          },
          value);
    }
    nlohmann::json measures = nlohmann::json::object();
    for (std::size_t b = 0; b < sample.bins.size(); ++b) measures[sample.bins[b].metric] = graph.measures[b];
    kept.push_back({{"candidate", graph.candidate},
                    {"parameters", parameters},
                    {"graph_seed", graph.graph_seed},
                    {"measures", measures},
                    {"bin", graph.bin}});
  }
  return {{"generator", sample.generator}, {"seed", sample.seed},          {"candidates", sample.candidates},
          {"per_bin", sample.per_bin},     {"invalid", sample.invalid},    {"first_invalid", sample.first_invalid},
          {"outside", sample.outside},     {"ranges", sample.ranges},      {"bins", bins},
          {"kept", kept}};
}

}  // namespace structlab::cli
