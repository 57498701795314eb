#pragma once
// Flattening a resolved spec (YAML) into dotted key paths, for the columns of `structlab collect`.

#include <string>
#include <utility>
#include <vector>

namespace structlab::results::detail {

/// Every scalar or sequence of \p yaml under its dotted key path (`structure.p`, `pruning.schedule.kind`), in
/// document order; a sequence is one entry in YAML flow style (`[256, 128]`), a null is an empty text. Throws
/// ArchiveError with YAML's explanation when \p yaml does not parse or its top level is not a mapping.
std::vector<std::pair<std::string, std::string>> flatten_spec(const std::string& yaml);

}  // namespace structlab::results::detail
