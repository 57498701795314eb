#include "structlab/memory_limit.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <array>

namespace structlab {

std::uint64_t physical_memory_bytes() {
  long pages = ::sysconf(_SC_PHYS_PAGES);
  long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size);
}

std::string format_bytes(double bytes) {
  static constexpr std::array<const char*, 7> units{"B", "KB", "MB", "GB", "TB", "PB", "EB"};
  std::size_t unit = 0;
  while (bytes >= 1000.0 && unit + 1 < units.size()) {
    bytes /= 1000.0;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, units[unit]);
}

std::optional<std::string> memory_refusal(double bytes, const std::string& what) {
  std::uint64_t available = physical_memory_bytes();
  double limit = available > 0 ? static_cast<double>(available) : static_cast<double>(std::uint64_t{1} << 40);
  if (!(bytes > limit)) return std::nullopt;
  return fmt::format("needs about {} of memory for {}; this machine has {}", format_bytes(bytes), what,
                     available > 0 ? format_bytes(static_cast<double>(available)) : "an unknown amount");
}

}  // namespace structlab
