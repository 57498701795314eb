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

const char* to_string(MaskGranularity granularity) {
  switch (granularity) {
    case MaskGranularity::weight:
      return "weight";
    case MaskGranularity::kernel:
      return "kernel";
    case MaskGranularity::channel:
      return "channel";
  }
  return "?";
}

MaskGranularity parse_mask_granularity(const std::string& name) {
  for (MaskGranularity granularity :
       {MaskGranularity::weight, MaskGranularity::kernel, MaskGranularity::channel}) {
    if (name == to_string(granularity)) return granularity;
  }
  throw ConfigError(fmt::format(
      "pruning.selection.granularity: unknown granularity '{}'; expected weight, kernel or channel", name));
}

}  // namespace structlab::prune
