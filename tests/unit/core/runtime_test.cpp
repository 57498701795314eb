#include "structlab/runtime.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "structlab/error.hpp"

namespace structlab {
namespace {

TEST(Runtime, RetainFreedMemoryLeavesAHeapConfiguredByGlibcTunablesAlone) {
  ASSERT_EQ(setenv("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=65536", 1), 0);
  EXPECT_FALSE(retain_freed_memory());
  ASSERT_EQ(unsetenv("GLIBC_TUNABLES"), 0);
  EXPECT_TRUE(retain_freed_memory());
  EXPECT_NE(runtime_info().allocator.find("keeps freed memory"), std::string::npos)
      << runtime_info().allocator;
}

TEST(Runtime, SetThreadsZeroMeansAllCoresAndNegativeIsAConfigError) {
  EXPECT_EQ(set_threads(0), runtime_info().cores);
  EXPECT_EQ(runtime_info().threads, runtime_info().cores);
  EXPECT_EQ(set_threads(1), 1);
  EXPECT_EQ(runtime_info().threads, 1);
  EXPECT_THROW(set_threads(-1), ConfigError);
}

TEST(Runtime, SetThreadsCapsAtFourPerCore) {
  EXPECT_EQ(max_threads(), 4 * runtime_info().cores);
  EXPECT_EQ(set_threads(1000000), max_threads());
  EXPECT_EQ(runtime_info().threads, max_threads());
  set_threads(1);
}

}  // namespace
}  // namespace structlab
