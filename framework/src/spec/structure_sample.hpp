#pragma once
// Draws a spec's structure sample and turns the graphs it keeps into one axis of the sweep. Private to the core
// library.

#include <cstdint>
#include <optional>

#include "spec/document.hpp"
#include "spec/problems.hpp"
#include "structlab/plugin/registry.hpp"
#include "structlab/spec/structure_sample.hpp"

namespace structlab::spec::detail {

/// Reads and removes `structure.sample` from \p document. When it was written and is valid: draws its candidates
/// (parameters uniform in `ranges`, each graph with its own seed), measures them in parallel, keeps up to
/// `per_bin` graphs per non-empty bin, and puts the kept graphs at the front of the grid as one joint axis (each
/// value sets the drawn parameters and `structure.graph_seed`). The sample's seed is `sample.seed` (default 0),
/// never the runs' seeds, so adding a seed repeats the same graphs. Records each problem (file:line, key path, what was expected)
/// in \p problems and returns nothing when the sample is invalid or keeps no graph.
std::optional<StructureSample> expand_structure_sample(SpecDocument& document, plugin::PluginRegistry& registry,
                                                       Problems& problems);

}  // namespace structlab::spec::detail
