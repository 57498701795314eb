// Names of the selection rules (no LibTorch here: the spec fuzz target links this file on its own).

#include "structlab/prune/options.hpp"

#include <fmt/format.h>

#include "structlab/error.hpp"

namespace structlab::prune {

const char* to_string(SelectionRule rule) {
  switch (rule) {
    case SelectionRule::fraction:
      return "fraction";
    case SelectionRule::count:
      return "count";
    case SelectionRule::density:
      return "density";
  }
  return "?";
}

SelectionRule parse_selection_rule(const std::string& name) {
  for (SelectionRule rule : {SelectionRule::fraction, SelectionRule::count, SelectionRule::density}) {
    if (name == to_string(rule)) return rule;
  }
  throw ConfigError(
      fmt::format("pruning.selection.rule: unknown rule '{}'; expected fraction, count or density", name));
}

}  // namespace structlab::prune
