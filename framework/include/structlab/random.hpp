#pragma once
/// \file
/// Rng: seeded randomness that gives the same numbers on every machine and standard library.
///
/// std::mt19937_64's output is fixed by the standard, but std::uniform_*_distribution and std::shuffle
/// are not, so every sampling step here is our own code on top of the raw engine.

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace structlab {

/// A seeded pseudo-random source with portable sampling.
class Rng {
 public:
  /// A generator seeded with \p seed.
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  /// The seed of an independent stream for \p purpose (e.g. "structure", "init", "data-order")
  /// derived from a run's \p seed; stable across versions and machines.
  static std::uint64_t derive(std::uint64_t seed, const std::string& purpose);

  /// 64 raw random bits.
  std::uint64_t next() { return engine_(); }
  /// Uniform real in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform real in [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  /// Uniform integer in [0, n); n must be positive. Unbiased (rejection sampling).
  std::uint64_t below(std::uint64_t n);
  /// True with probability \p p.
  bool bernoulli(double p) { return uniform() < p; }
  /// Standard normal sample (Box-Muller on uniform()).
  double normal();

  /// Shuffles [first, last) in place (Fisher-Yates with below()).
  template <typename RandomIt>
  void shuffle(RandomIt first, RandomIt last) {
    auto n = static_cast<std::uint64_t>(last - first);
    for (std::uint64_t i = n; i > 1; --i) {
      std::uint64_t j = below(i);
      using std::swap;
      swap(first[i - 1], first[j]);
    }
  }
  /// A random permutation of 0..n-1.
  std::vector<std::int64_t> permutation(std::int64_t n);

  /// The generator's full state as text, for checkpoints; set_state() of it continues the same stream.
  std::string state() const;
  /// Restores a state from state(); throws ConfigError when \p text is not one.
  void set_state(const std::string& text);

 private:
  std::mt19937_64 engine_;
};

}  // namespace structlab
