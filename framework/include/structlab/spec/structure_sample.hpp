#pragma once
/// \file
/// A structure sample (`structure.sample`): graphs drawn with random generator parameters, measured, and kept so
/// that they cover chosen bins of their graph metrics evenly (graph2nn's way of choosing structures).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "structlab/params.hpp"

namespace structlab::spec {

/// One binned metric of a sample: values in [low, high] fall into `count` equal bins (high belongs to the last).
struct SampleBins {
  std::string metric;     ///< a graph metric name, as GraphMetrics::flatten() names it
  double low = 0.0;       ///< lower end of the first bin
  double high = 1.0;      ///< upper end of the last bin
  std::int64_t count = 1; ///< number of bins
};

/// One graph a sample kept.
struct SampledStructure {
  std::int64_t candidate = 0;  ///< its number among the candidates drawn, 0-based; -1 for the baseline
  /// the generator parameters drawn for it, in key order of `ranges`
  std::vector<std::pair<std::string, ParamValue>> parameters;
  std::int64_t graph_seed = 0;  ///< the seed its runs generate it from (their structure.graph_seed)
  std::vector<double> measures;     ///< the value of each binned metric, in the order of StructureSample::bins
  std::vector<std::int64_t> bin;    ///< the bin of each binned metric; -1 where the baseline lies outside
};

/// What a spec's `structure.sample` drew and kept; its kept graphs are one axis of the sweep, varying slowest.
struct StructureSample {
  std::string generator;            ///< the generator plugin
  std::uint64_t seed = 0;           ///< the sample's seed
  std::int64_t candidates = 0;      ///< graphs drawn
  std::int64_t per_bin = 1;         ///< graphs kept per non-empty bin, at most
  std::int64_t invalid = 0;         ///< drawn parameters the generator refused
  std::string first_invalid;        ///< the generator's message for the first of them
  std::int64_t outside = 0;         ///< measured, but outside the bins
  std::vector<std::string> ranges;  ///< the drawn parameters, in key order
  std::vector<SampleBins> bins;     ///< the binned metrics, in key order
  /// the baseline (`sample.baseline`, always run, first) when there is one, then the kept graphs in bin order
  /// (first metric slowest), then candidate order
  std::vector<SampledStructure> kept;
};

}  // namespace structlab::spec
