#pragma once
// How `structlab run --dry-run` and `structlab graph sample` show a structure sample.

#include <nlohmann/json.hpp>

#include <string>

#include "structlab/spec/structure_sample.hpp"

namespace structlab::cli {

/// One line on what was drawn and kept, then one row per kept graph: its parameters, graph seed, measures, bin.
std::string sample_table(const spec::StructureSample& sample);

/// The sample as JSON: what was drawn, the bins, and each kept graph with its parameters, seed, measures and bin.
nlohmann::json sample_json(const spec::StructureSample& sample);

}  // namespace structlab::cli
