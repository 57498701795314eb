#include "spec/canonical.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace structlab::spec::detail {
namespace {

struct CanonicalEntry {
  std::vector<std::string> path;  ///< key path split at the dots
  ParamValue value;
  bool is_default = false;
};

std::vector<std::string> split_path(const std::string& key_path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto dot = key_path.find('.', start);
    parts.push_back(key_path.substr(start, dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

bool equals_default(const ParamValue& value, const std::vector<ParamSpec>& specs, const std::string& key) {
  auto spec = std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return s.name == key; });
  return spec != specs.end() && spec->default_value && *spec->default_value == value;
}

std::vector<CanonicalEntry> entries_of(const ResolvedSections& sections, std::uint64_t seed) {
  std::vector<CanonicalEntry> entries;
  for (const auto& [path, section] : sections) {
    if (path.empty()) {
      entries.push_back({{"experiment"}, section.fixed.value("experiment"), false});
      ParamValue seeds = std::vector<std::int64_t>{static_cast<std::int64_t>(seed)};
      entries.push_back({{"seeds"}, seeds, equals_default(seeds, section.schema->keys, "seeds")});
      continue;
    }
    for (const auto& key : section.fixed.keys()) {
      const ParamValue& value = section.fixed.value(key);
      entries.push_back(
          {split_path(join_path(path, key)), value, equals_default(value, section.schema->keys, key)});
    }
    if (!section.plugin) continue;
    for (const auto& key : section.plugin->params.keys()) {
      const ParamValue& value = section.plugin->params.value(key);
      entries.push_back(
          {split_path(join_path(path, key)), value, equals_default(value, section.plugin->declared, key)});
    }
  }
  // sorted by path components, so `lr` comes before `lr_schedule` and sections stay together
  std::sort(entries.begin(), entries.end(),
            [](const CanonicalEntry& a, const CanonicalEntry& b) { return a.path < b.path; });
  return entries;
}

std::string key_text(const std::string& key) { return to_yaml(ParamValue(key)); }

// Block mappings for sections, flow text for values, two spaces per level.
std::string emit(const std::vector<CanonicalEntry>& entries, bool skip_defaults) {
  std::string out;
  std::vector<std::string> open_sections;
  for (const auto& entry : entries) {
    if (skip_defaults && entry.is_default) continue;
    std::vector<std::string> sections(entry.path.begin(), entry.path.end() - 1);
    std::size_t common = 0;
    while (common < sections.size() && common < open_sections.size() &&
           sections[common] == open_sections[common]) {
      ++common;
    }
    for (std::size_t depth = common; depth < sections.size(); ++depth) {
      out += std::string(2 * depth, ' ') + key_text(sections[depth]) + ":\n";
    }
    open_sections = sections;
    out += std::string(2 * sections.size(), ' ') + key_text(entry.path.back()) + ": " + to_yaml(entry.value) +
           "\n";
  }
  return out;
}

}  // namespace

CanonicalTexts canonical_texts(const ResolvedSections& sections, std::uint64_t seed) {
  std::vector<CanonicalEntry> entries = entries_of(sections, seed);
  return CanonicalTexts{emit(entries, false), emit(entries, true)};
}

std::string fnv1a_64_hex(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64 offset basis
  for (unsigned char byte : text) {
    hash ^= byte;
    hash *= 1099511628211ULL;  // FNV-1a 64 prime
  }
  return fmt::format("{:016x}", hash);
}

}  // namespace structlab::spec::detail
