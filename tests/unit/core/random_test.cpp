#include "structlab/random.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace structlab {
namespace {

TEST(Rng, SameSeedSameSequence) {
  Rng a(42), b(42);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next(), b.next());
}

TEST(Rng, FirstOutputIsFixedByTheStandardEngine) {
  // mt19937_64's 10000th output for the default seed is fixed by the C++ standard; our first outputs for
  // seed 5489 therefore match every conforming implementation.
  Rng rng(5489);
  std::uint64_t value = 0;
  for (int i = 0; i < 10000; ++i) value = rng.next();
  EXPECT_EQ(value, 9981545732273789042ULL);
}

TEST(Rng, DerivedSeedsDifferByPurposeAndAreStable) {
  EXPECT_NE(Rng::derive(1, "structure"), Rng::derive(1, "init"));
  EXPECT_NE(Rng::derive(1, "structure"), Rng::derive(2, "structure"));
  EXPECT_EQ(Rng::derive(1, "structure"), Rng::derive(1, "structure"));
}

TEST(Rng, BelowStaysInRangeAndCoversIt) {
  Rng rng(7);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    auto x = rng.below(6);
    ASSERT_LT(x, 6u);
    seen.insert(x);
  }
  EXPECT_EQ(seen.size(), 6u);
}

TEST(Rng, UniformIsInUnitInterval) {
  Rng rng(3);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

TEST(Rng, PermutationHoldsEveryIndexOnce) {
  Rng rng(11);
  auto perm = rng.permutation(50);
  auto sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (std::int64_t i = 0; i < 50; ++i) EXPECT_EQ(sorted[i], i);
  EXPECT_NE(perm, sorted);
}

}  // namespace
}  // namespace structlab
