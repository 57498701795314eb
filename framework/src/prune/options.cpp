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
    case SelectionRule::n_m:
      return "n_m";
  }
  return "?";
}

SelectionRule parse_selection_rule(const std::string& name) {
  for (SelectionRule rule :
       {SelectionRule::fraction, SelectionRule::count, SelectionRule::density, SelectionRule::n_m}) {
    if (name == to_string(rule)) return rule;
  }
  throw ConfigError(
      fmt::format("pruning.selection.rule: unknown rule '{}'; expected fraction, count, density or n_m", name));
}

}  // namespace structlab::prune
