#include "structlab/random.hpp"

#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "structlab/error.hpp"

namespace structlab {
namespace {

// SplitMix64 finaliser: spreads nearby seeds into unrelated streams.
std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::uint64_t Rng::derive(std::uint64_t seed, const std::string& purpose) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a: fixed, unlike std::hash
  for (unsigned char c : purpose) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return mix(mix(seed) ^ hash);
}

std::uint64_t Rng::below(std::uint64_t n) {
  // reject the top partial bucket so every residue is equally likely
  std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
  std::uint64_t x;
  do {
    x = next();
  } while (x >= limit);
  return x % n;
}

double Rng::normal() {
  double u1 = uniform();
  double u2 = uniform();
  if (u1 < 1e-300) u1 = 1e-300;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

std::vector<std::int64_t> Rng::permutation(std::int64_t n) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  std::iota(out.begin(), out.end(), 0);
  shuffle(out.begin(), out.end());
  return out;
}

std::string Rng::state() const {
  std::ostringstream text;
  text << engine_;
  return text.str();
}

void Rng::set_state(const std::string& text) {
  std::istringstream input(text);
  std::mt19937_64 restored;
  input >> restored;
  if (input.fail()) throw ConfigError("Rng: the saved generator state is not one written by Rng::state()");
  engine_ = restored;
}

}  // namespace structlab
