#include "standard_output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "structlab/error.hpp"

namespace structlab::cli {

bool standard_output_failed() { return std::ferror(stdout) != 0 || !std::cout.good(); }

void finish_standard_output() {
  errno = 0;
  std::cout.flush();
  const bool flushed = std::fflush(stdout) == 0;
  const int reason = errno;
  if (flushed && !standard_output_failed()) return;
  throw DataError("cannot write to standard output: " +
                  std::string(reason != 0 ? std::strerror(reason) : "write error") +
                  "; the output is lost or incomplete");
}

}  // namespace structlab::cli
