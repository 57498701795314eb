#pragma once
// The whole `structlab` command line as a function, so that the program and the integration tests share it.

namespace structlab::cli {

/// Parses \p argv, runs the chosen subcommand and returns the process exit status (README "Exit status").
int main(int argc, char** argv);

}  // namespace structlab::cli
