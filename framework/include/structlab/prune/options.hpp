#pragma once
/// \file
/// The options of pruning (spec/ fills them in from `pruning.selection` and `pruning.schedule`).

#include <cstdint>
#include <string>
#include <vector>

namespace structlab::prune {

/// How many of the scored entries a pruning step removes (see selection.hpp).
enum class SelectionRule {
  fraction,  ///< round(amount * active prunable entries)
  count,     ///< amount entries (a whole number)
  density,   ///< until round(amount * all prunable entries) stay active
  n_m,       ///< at most N of every M consecutive weights of a row stay active (`pattern: "N:M"`)
};

/// "fraction", "count" or "density".
const char* to_string(SelectionRule rule);

/// The rule named \p name; throws ConfigError naming `pruning.selection.rule` and the allowed names.
SelectionRule parse_selection_rule(const std::string& name);

/// What a pruning step removes at once when the strategy scores single weights.
enum class MaskGranularity {
  weight,  ///< single weights
  kernel,  ///< whole kernels: every entry between one input unit and one output unit (a kh x kw Conv2d
           ///< kernel; a single weight in a matrix), scored by the mean of its active entries' scores
  channel,  ///< whole units: a Conv2d output channel or a linear layer's neuron, scored by the mean of the
            ///< active entries' scores of its row, removed as unit-scoring strategies remove units
};

/// "weight", "kernel" or "channel".
const char* to_string(MaskGranularity granularity);

/// The granularity named \p name; throws ConfigError naming `pruning.selection.granularity` and the allowed
/// names.
MaskGranularity parse_mask_granularity(const std::string& name);

/// `pruning.selection`: how much goes per pruning step, and what is protected.
struct SelectionOptions {
  SelectionRule rule = SelectionRule::fraction;  ///< the rule
  double amount = 0.2;                           ///< the fraction, count or target density
  std::vector<std::string> exclude_layers;       ///< masked-layer names never pruned
  bool exclude_output = true;                    ///< leave the output layer alone (OpenLTH's default)
  std::int64_t pattern_n = 2;                    ///< n_m: weights kept per block (the N of "N:M")
  std::int64_t pattern_m = 4;                    ///< n_m: block length along the input dimension (the M)
  MaskGranularity granularity = MaskGranularity::weight;  ///< what goes at once (weight-scoring strategies)
};

/// A gradual (AGP) schedule in epochs; agp_schedule_in_steps() turns it into steps.
struct GradualOptions {
  double initial_sparsity = 0.0;  ///< s_i
  double final_sparsity = 0.9;    ///< s_f
  std::int64_t start_epoch = 0;   ///< epoch (0-based, of the gradual stage) whose first step is t0
  std::int64_t end_epoch = 1;     ///< s_f is reached at the first step of this epoch
  std::int64_t frequency = 1;     ///< steps (batches) between mask updates, Δt
};

}  // namespace structlab::prune
