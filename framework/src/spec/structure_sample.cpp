#include "spec/structure_sample.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <memory>
#include <regex>
#include <thread>

#include "spec/resolve.hpp"
#include "spec/schema.hpp"
#include "structlab/graph/layered_graph.hpp"
#include "structlab/graph/metrics.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/random.hpp"

namespace structlab::spec::detail {
namespace {

constexpr const char* kSection = "structure.sample";
constexpr std::int64_t kMaxCandidates = 1000000;
constexpr std::int64_t kMaxBinsPerMetric = 1000;
// Range bounds stay where doubles hold every integer exactly (and integer spans cannot overflow).
constexpr double kLargestBound = 9007199254740992.0;

// A generator parameter the sample draws, uniformly in [low, high] (integers) or [low, high) (reals).
struct DrawnRange {
  std::string name;
  ParamType type = ParamType::real;
  double low = 0.0;
  double high = 0.0;
  SourceLocation where;
};

// One candidate after measuring: its binned metric values, or why it has none.
struct Measured {
  bool valid = false;
  std::string error;
  std::vector<double> values;
};

std::vector<std::pair<std::string, SpecValue>> values_under(const SpecDocument& document, const std::string& section) {
  std::vector<std::pair<std::string, SpecValue>> out;
  for (const auto& [path, value] : document.values) {
    if (parent_of(path) == section) out.emplace_back(leaf_of(path), value);
  }
  return out;
}

void remove_sample(SpecDocument& document) {
  const std::string prefix = std::string(kSection) + ".";
  for (auto it = document.values.begin(); it != document.values.end();) {
    it = it->first.rfind(prefix, 0) == 0 ? document.values.erase(it) : std::next(it);
  }
  for (auto it = document.sections.begin(); it != document.sections.end();) {
    const bool inside = it->first == kSection || it->first.rfind(prefix, 0) == 0;
    it = inside ? document.sections.erase(it) : std::next(it);
  }
}

std::optional<std::vector<double>> numbers_of(const ParamValue& value) {
  if (const auto* ints = std::get_if<std::vector<std::int64_t>>(&value)) {
    return std::vector<double>(ints->begin(), ints->end());
  }
  if (const auto* reals = std::get_if<std::vector<double>>(&value)) return *reals;
  return std::nullopt;
}

bool is_whole(double value) { return std::isfinite(value) && std::floor(value) == value; }

const std::regex& per_layer_metric() {
  static const std::regex pattern("(layer_width|edge_span)_[0-9]+");
  return pattern;
}

// The metric names the graph code computes (GraphMetrics::flatten() of a small graph with C and L), without the
// per-layer ones (layer_width_N, edge_span_N).
std::vector<std::string> metric_names() {
  graph::LayeredGraph path(3, {{0, 1}, {1, 2}});
  std::vector<std::string> names;
  for (const auto& [name, value] : graph::compute_metrics(path).flatten()) {
    if (!std::regex_match(name, per_layer_metric())) names.push_back(name);
  }
  return names;
}

bool is_known_metric(const std::string& name, const std::vector<std::string>& names) {
  return std::find(names.begin(), names.end(), name) != names.end() || std::regex_match(name, per_layer_metric());
}

std::vector<DrawnRange> read_ranges(const std::vector<std::pair<std::string, SpecValue>>& written,
                                    const plugin::PluginDescriptor& generator, const SpecDocument& document,
                                    const SourceLocation& where, Problems& problems) {
  std::vector<DrawnRange> ranges;
  if (written.empty()) {
    problems.add(where, "structure.sample.ranges",
                 "expected at least one generator parameter to draw, e.g. ranges: {k: [2, 63], p: [0, 1]}");
  }
  for (const auto& [name, value] : written) {
    const std::string key = "structure.sample.ranges." + name;
    auto declared = std::find_if(generator.params.begin(), generator.params.end(),
                                 [&](const ParamSpec& spec) { return spec.name == name; });
    if (declared == generator.params.end()) {
      std::vector<std::string> numeric;
      for (const auto& spec : generator.params) {
        if (spec.type == ParamType::integer || spec.type == ParamType::real) numeric.push_back(spec.name);
      }
      problems.add(value.where, key,
                   fmt::format("generator '{}' has no parameter '{}'; its numeric parameters: {}", generator.name,
                               name, fmt::join(numeric, ", ")));
      continue;
    }
    if (declared->type != ParamType::integer && declared->type != ParamType::real) {
      problems.add(value.where, key,
                   fmt::format("only numeric parameters can be drawn; '{}' is a {}", name, to_string(declared->type)));
      continue;
    }
    if (const SpecValue* fixed = document.find("structure." + name)) {
      problems.add(fixed->where, "structure." + name,
                   "the structure sample draws this parameter (structure.sample.ranges); remove the fixed value");
      continue;
    }
    std::optional<std::vector<double>> bounds = numbers_of(value.value);
    const bool integer = declared->type == ParamType::integer;
    if (!bounds || bounds->size() != 2 || !std::isfinite((*bounds)[0]) || !std::isfinite((*bounds)[1]) ||
        (*bounds)[0] > (*bounds)[1] || std::abs((*bounds)[0]) > kLargestBound || std::abs((*bounds)[1]) > kLargestBound ||
        (integer && (!is_whole((*bounds)[0]) || !is_whole((*bounds)[1])))) {
      problems.add(value.where, key,
                   fmt::format("expected [low, high] with low <= high, both within ±2^53{}, got {}",
                               integer ? " (whole numbers: the parameter is an integer)" : "", to_yaml(value.value)));
      continue;
    }
    ranges.push_back({name, declared->type, (*bounds)[0], (*bounds)[1], value.where});
  }
  return ranges;
}

std::vector<SampleBins> read_bins(const std::vector<std::pair<std::string, SpecValue>>& written,
                                  const SourceLocation& where, Problems& problems) {
  std::vector<SampleBins> bins;
  if (written.empty()) {
    problems.add(where, "structure.sample.bins",
                 "expected at least one metric to bin, e.g. bins: {average_clustering: [0, 0.8, 15]}");
  }
  const std::vector<std::string> names = metric_names();
  for (const auto& [metric, value] : written) {
    const std::string key = "structure.sample.bins." + metric;
    if (!is_known_metric(metric, names)) {
      problems.add(value.where, key,
                   fmt::format("unknown graph metric '{}'; the graph code computes: {} (and layer_width_N, "
                               "edge_span_N)",
                               metric, fmt::join(names, ", ")));
      continue;
    }
    std::optional<std::vector<double>> spec = numbers_of(value.value);
    if (!spec || spec->size() != 3 || !std::isfinite((*spec)[0]) || !std::isfinite((*spec)[1]) ||
        !((*spec)[0] < (*spec)[1]) || !is_whole((*spec)[2]) || (*spec)[2] < 1 || (*spec)[2] > kMaxBinsPerMetric) {
      problems.add(value.where, key,
                   fmt::format("expected [low, high, bins] with low < high and 1 to {} bins, got {}",
                               kMaxBinsPerMetric, to_yaml(value.value)));
      continue;
    }
    bins.push_back({metric, (*spec)[0], (*spec)[1], static_cast<std::int64_t>((*spec)[2])});
  }
  return bins;
}

// The baseline's value of every drawn parameter, in the order of \p ranges.
std::vector<ParamValue> read_baseline(const std::vector<std::pair<std::string, SpecValue>>& written,
                                      const std::vector<DrawnRange>& ranges, const SourceLocation& where,
                                      Problems& problems) {
  // \p where is the baseline section's own place
  std::vector<ParamValue> values;
  for (const auto& [name, value] : written) {
    if (std::none_of(ranges.begin(), ranges.end(), [&](const DrawnRange& range) { return range.name == name; })) {
      problems.add(value.where, "structure.sample.baseline." + name,
                   "the baseline sets the drawn parameters (those in structure.sample.ranges) and nothing else");
    }
  }
  for (const auto& range : ranges) {
    auto found = std::find_if(written.begin(), written.end(), [&](const auto& entry) { return entry.first == range.name; });
    if (found == written.end()) {
      problems.add(where, "structure.sample.baseline",
                   fmt::format("expected a value for every drawn parameter; '{}' is missing", range.name));
      values.emplace_back(range.low);
      continue;
    }
    const ParamValue& value = found->second.value;
    const bool integer = std::holds_alternative<std::int64_t>(value);
    if (range.type == ParamType::integer && !integer) {
      problems.add(found->second.where, "structure.sample.baseline." + range.name,
                   "expected a whole number, got " + to_yaml(value));
    } else if (!integer && !std::holds_alternative<double>(value)) {
      problems.add(found->second.where, "structure.sample.baseline." + range.name,
                   "expected a number, got " + to_yaml(value));
    }
    if (range.type == ParamType::real && integer) {
      values.emplace_back(static_cast<double>(std::get<std::int64_t>(value)));
    } else {
      values.push_back(value);
    }
  }
  return values;
}

// The grid may vary anything but the structure the sample draws (its orientation excepted).
void check_grid(const SpecDocument& document, Problems& problems) {
  for (const auto& axis : document.grid) {
    // the orientation too: candidates are measured as oriented by the spec, and some metrics depend on it
    if (axis.key_path.rfind("structure.", 0) == 0) {
      problems.add(axis.where, "grid." + axis.key_path,
                   "the structure sample chooses the structure; a grid cannot vary it as well (every other "
                   "section can)");
    }
  }
  if (const SpecValue* seed = document.find("structure.graph_seed")) {
    problems.add(seed->where, "structure.graph_seed",
                 "the structure sample gives every graph it keeps its own graph_seed; remove this key");
  }
}

std::int64_t bin_of(double value, const SampleBins& bins) {
  if (!std::isfinite(value) || value < bins.low || value > bins.high) return -1;
  const auto bin = static_cast<std::int64_t>(std::floor((value - bins.low) / (bins.high - bins.low) *
                                                        static_cast<double>(bins.count)));
  return std::min(bin, bins.count - 1);
}

ParamValue draw(const DrawnRange& range, Rng& rng) {
  if (range.type == ParamType::integer) {
    const auto low = static_cast<std::int64_t>(range.low);
    const auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(range.high) - low) + 1;
    return low + static_cast<std::int64_t>(rng.below(span));
  }
  return range.low == range.high ? range.low : rng.uniform(range.low, range.high);
}

// Generates and measures every constructed candidate, spread over the machine's cores; results by candidate.
std::vector<Measured> measure(const std::vector<std::shared_ptr<plugin::StructureGenerator>>& generators,
                              const std::vector<std::int64_t>& graph_seeds, const std::vector<SampleBins>& bins,
                              graph::Orientation orientation) {
  graph::MetricsOptions options;
  options.threads = 1;
  options.clustering = false;
  options.path_length = false;
  for (const auto& bin : bins) {
    options.clustering |= bin.metric.find("clustering") != std::string::npos;
    options.path_length |= bin.metric.find("path_length") != std::string::npos;
  }
  std::vector<Measured> results(generators.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < generators.size(); i = next++) {
      if (!generators[i]) continue;
      try {
        const auto seed = static_cast<std::uint64_t>(graph_seeds[i]);
        graph::LayeredGraph graph = graph::LayeredGraph::from_edge_list(
            generators[i]->generate(seed), orientation, Rng::derive(seed, "orientation"));
        const auto flat = graph::compute_metrics(graph, options).flatten();
        for (const auto& bin : bins) {
          auto found = std::find_if(flat.begin(), flat.end(), [&](const auto& entry) { return entry.first == bin.metric; });
          results[i].values.push_back(found == flat.end() ? std::nan("") : found->second);
        }
        results[i].valid = true;
      } catch (const std::exception& e) {
        results[i].error = e.what();
      } catch (...) {
        results[i].error = "the generator threw something that is not a std::exception";
      }
    }
  };
  const std::size_t threads =
      std::max<std::size_t>(1, std::min<std::size_t>(std::thread::hardware_concurrency(), generators.size()));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // fewer threads: the ones started and this one measure every candidate all the same
    }
  }
  work();
  for (auto& thread : pool) thread.join();
  return results;
}

// The joint grid axis of the kept graphs: each value sets the drawn parameters and the graph's seed.
GridAxis axis_of(const StructureSample& sample, const std::vector<DrawnRange>& ranges, const SourceLocation& where) {
  GridAxis axis{"structure.sample", where, {}, {}};
  for (const auto& kept : sample.kept) {
    std::vector<std::pair<std::string, SpecValue>> values;
    for (std::size_t r = 0; r < ranges.size(); ++r) {
      values.emplace_back("structure." + ranges[r].name, SpecValue{kept.parameters[r].second, ranges[r].where});
    }
    values.emplace_back("structure.graph_seed", SpecValue{ParamValue(kept.graph_seed), where});
    axis.joint.push_back(std::move(values));
  }
  return axis;
}

}  // namespace

std::optional<StructureSample> expand_structure_sample(SpecDocument& document, plugin::PluginRegistry& registry,
                                                       Problems& problems) {
  if (!document.has_section(kSection)) return std::nullopt;
  const SourceLocation where = document.sections.at(kSection);
  const std::size_t problems_before = problems.size();
  Params fixed = resolve_fixed_keys(document, *find_section(kSection), where, problems);
  const auto ranges_written = values_under(document, "structure.sample.ranges");
  const auto bins_written = values_under(document, "structure.sample.bins");
  const auto baseline_written = values_under(document, "structure.sample.baseline");
  const bool has_baseline = document.has_section("structure.sample.baseline");
  const SourceLocation baseline_where = has_baseline ? document.sections.at("structure.sample.baseline") : where;
  remove_sample(document);
  check_grid(document, problems);

  StructureSample sample;
  const SpecValue* plugin_name = document.find("structure.plugin");
  if (plugin_name == nullptr || !std::holds_alternative<std::string>(plugin_name->value)) {
    problems.add(where, "structure.plugin", "a structure sample needs the generator it draws from, e.g. plugin: ws_flex");
    return std::nullopt;
  }
  sample.generator = std::get<std::string>(plugin_name->value);
  plugin::PluginDescriptor generator;
  try {
    generator = registry.describe(plugin::PluginKind::generator, sample.generator);
  } catch (const Error&) {
    return std::nullopt;  // the structure section reports the unknown plugin
  }
  if (fixed.has("candidates") && (fixed.get_int("candidates") < 1 || fixed.get_int("candidates") > kMaxCandidates)) {
    problems.add(fixed.location_of("candidates"), "structure.sample.candidates",
                 fmt::format("expected 1 to {} graphs to draw, got {}", kMaxCandidates, fixed.get_int("candidates")));
  }
  if (fixed.has("per_bin") && fixed.get_int("per_bin") < 1) {
    problems.add(fixed.location_of("per_bin"), "structure.sample.per_bin",
                 fmt::format("expected at least 1 graph per bin, got {}", fixed.get_int("per_bin")));
  }
  if (fixed.has("seed") && fixed.get_int("seed") < 0) {
    problems.add(fixed.location_of("seed"), "structure.sample.seed",
                 fmt::format("expected a non-negative seed, got {}", fixed.get_int("seed")));
  }
  const std::vector<DrawnRange> ranges = read_ranges(ranges_written, generator, document, where, problems);
  sample.bins = read_bins(bins_written, where, problems);
  std::vector<ParamValue> baseline;
  if (has_baseline) baseline = read_baseline(baseline_written, ranges, baseline_where, problems);
  if (problems.size() > problems_before) return std::nullopt;

  sample.candidates = fixed.get_int("candidates");
  sample.per_bin = fixed.get_int("per_bin");
  sample.seed = static_cast<std::uint64_t>(fixed.get_int("seed"));
  for (const auto& range : ranges) sample.ranges.push_back(range.name);

  // the parameters every candidate shares: what the structure section fixes
  Params shared = plugin_params_of(document, *find_section("structure"));
  shared.set_owner("generator '" + sample.generator + "'");
  graph::Orientation orientation = graph::Orientation::index;
  if (const SpecValue* orient = document.find("structure.orient"); orient && std::holds_alternative<std::string>(orient->value)) {
    try {
      orientation = graph::parse_orientation(std::get<std::string>(orient->value));
    } catch (const ConfigError&) {
      // the structure section reports it
    }
  }

  // drawn one after another from one stream, so that the sample does not depend on the number of cores
  Rng rng(Rng::derive(sample.seed, "structure-sample"));
  std::vector<std::vector<ParamValue>> drawn(static_cast<std::size_t>(sample.candidates));
  std::vector<std::int64_t> graph_seeds(drawn.size());
  std::vector<std::shared_ptr<plugin::StructureGenerator>> generators(drawn.size());
  for (std::size_t i = 0; i < drawn.size(); ++i) {
    Params params = shared;
    for (const auto& range : ranges) {
      drawn[i].push_back(draw(range, rng));
      params.set(range.name, drawn[i].back(), range.where);
    }
    // a non-negative int64, so that it can be written as structure.graph_seed
    graph_seeds[i] = static_cast<std::int64_t>(Rng::derive(sample.seed, fmt::format("structure-sample-graph-{}", i)) >> 1);
    try {
      generators[i] = registry.create_generator(sample.generator, params.validated(generator.params));
    } catch (const Error& e) {  // a ConfigError from its checks, a PluginError from a factory that threw
      if (sample.invalid++ == 0) sample.first_invalid = e.what();
    }
  }

  if (has_baseline) {
    // one slot more, after the candidates: the baseline is measured with them but never binned away
    Params params = shared;
    for (std::size_t r = 0; r < ranges.size(); ++r) params.set(ranges[r].name, baseline[r], baseline_where);
    drawn.push_back(baseline);
    graph_seeds.push_back(static_cast<std::int64_t>(Rng::derive(sample.seed, "structure-sample-baseline") >> 1));
    try {
      generators.push_back(registry.create_generator(sample.generator, params.validated(generator.params)));
    } catch (const Error& e) {
      problems.add(baseline_where, "structure.sample.baseline", std::string("the generator refuses it: ") + e.what());
      return std::nullopt;
    }
  }
  const std::vector<Measured> measured = measure(generators, graph_seeds, sample.bins, orientation);
  const auto candidates = static_cast<std::size_t>(sample.candidates);
  std::map<std::vector<std::int64_t>, std::int64_t> kept_per_bin;
  for (std::size_t i = 0; i < candidates; ++i) {
    if (!generators[i]) continue;
    if (!measured[i].valid) {
      if (sample.invalid++ == 0) sample.first_invalid = measured[i].error;
      continue;
    }
    std::vector<std::int64_t> bin;
    for (std::size_t b = 0; b < sample.bins.size(); ++b) bin.push_back(bin_of(measured[i].values[b], sample.bins[b]));
    if (std::find(bin.begin(), bin.end(), -1) != bin.end()) {
      ++sample.outside;
      continue;
    }
    if (kept_per_bin[bin]++ >= sample.per_bin) continue;
    SampledStructure kept;
    kept.candidate = static_cast<std::int64_t>(i);
    for (std::size_t r = 0; r < ranges.size(); ++r) kept.parameters.emplace_back(ranges[r].name, drawn[i][r]);
    kept.graph_seed = graph_seeds[i];
    kept.measures = measured[i].values;
    kept.bin = std::move(bin);
    sample.kept.push_back(std::move(kept));
  }
  std::stable_sort(sample.kept.begin(), sample.kept.end(),
                   [](const SampledStructure& a, const SampledStructure& b) { return a.bin < b.bin; });
  if (has_baseline) {
    if (!measured[candidates].valid) {
      problems.add(baseline_where, "structure.sample.baseline", "its graph cannot be built: " + measured[candidates].error);
      return std::nullopt;
    }
    SampledStructure base;
    base.candidate = -1;
    for (std::size_t r = 0; r < ranges.size(); ++r) base.parameters.emplace_back(ranges[r].name, baseline[r]);
    base.graph_seed = graph_seeds[candidates];
    base.measures = measured[candidates].values;
    for (std::size_t b = 0; b < sample.bins.size(); ++b) base.bin.push_back(bin_of(base.measures[b], sample.bins[b]));
    sample.kept.insert(sample.kept.begin(), std::move(base));
  }

  if (sample.kept.size() == (has_baseline ? 1u : 0u)) {
    problems.add(where, kSection,
                 fmt::format("none of the {} graphs drawn falls into the bins ({} refused by the generator{}, {} "
                             "measured outside); widen the bins or the ranges",
                             sample.candidates, sample.invalid,
                             sample.first_invalid.empty() ? "" : ", e.g. " + sample.first_invalid, sample.outside));
    return std::nullopt;
  }
  document.grid.insert(document.grid.begin(), axis_of(sample, ranges, where));
  return sample;
}

}  // namespace structlab::spec::detail
