#pragma once
// The canonical YAML text of one run and the stable hash its id comes from. Private to the core library.

#include <cstdint>
#include <string>

#include "spec/resolve.hpp"

namespace structlab::spec::detail {

/// The canonical texts of one run.
struct CanonicalTexts {
  std::string full;              ///< every key with its resolved value, sorted; itself a valid one-run spec
  std::string without_defaults;  ///< the same without keys at their default value: what the hash covers
};

/// The canonical texts of the run made of complete \p sections and \p seed. plugin_paths are left out:
/// where plugins live does not change what a run computes.
CanonicalTexts canonical_texts(const ResolvedSections& sections, std::uint64_t seed);

/// FNV-1a 64 of \p text as 16 lower-case hex digits; a fixed algorithm, the same on every platform.
std::string fnv1a_64_hex(const std::string& text);

}  // namespace structlab::spec::detail
