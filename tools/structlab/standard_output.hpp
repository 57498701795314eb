#pragma once
// Write errors on standard output: a command whose output went to a full disk or /dev/full must not exit 0.

namespace structlab::cli {

/// True when a write to standard output has failed so far (stdio's error flag or std::cout's bad state).
bool standard_output_failed();

/// Flushes std::cout and stdout; throws DataError "cannot write to standard output: <reason>; the output is
/// lost or incomplete" when that or an earlier write failed. main() calls it after every command.
void finish_standard_output();

}  // namespace structlab::cli
