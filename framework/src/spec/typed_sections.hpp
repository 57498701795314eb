#pragma once
// From resolved sections to the typed RunSpec fields, checking every range and allowed value.
// Private to the core library.

#include "spec/problems.hpp"
#include "spec/resolve.hpp"
#include "structlab/spec/experiment.hpp"

namespace structlab::spec::detail {

/// Fills dataset, structure, orient, model, training, pruning and archive_metrics of \p run from
/// \p sections, recording every out-of-range or unknown value in \p problems. Returns false when something
/// was invalid (the run is then incomplete).
bool fill_typed_sections(const ResolvedSections& sections, RunSpec& run, Problems& problems);

}  // namespace structlab::spec::detail
