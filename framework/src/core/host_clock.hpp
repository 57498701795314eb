#pragma once
// Where and when: the host name and the current UTC time as archives, checkpoints and run locks record them.

#include <string>

namespace structlab::detail {

/// This machine's host name, or "unknown-host" when the system will not say.
std::string host_name();

/// The current time in UTC as ISO 8601 to the second, e.g. "2026-11-30T23:45:00Z".
std::string utc_now();

}  // namespace structlab::detail
