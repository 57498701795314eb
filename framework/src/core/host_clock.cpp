#include "core/host_clock.hpp"

#include <unistd.h>

#include <ctime>

namespace structlab::detail {

std::string host_name() {
  char host[256] = {0};
  return ::gethostname(host, sizeof(host) - 1) == 0 ? host : "unknown-host";
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  ::gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

}  // namespace structlab::detail
