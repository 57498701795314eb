// The `structlab` command-line program.

#include "cli_main.hpp"

int main(int argc, char** argv) { return structlab::cli::main(argc, argv); }
