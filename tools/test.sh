#!/usr/bin/env bash
# README's second command (the test command): set up a fresh machine, build, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh
ctest --test-dir "${STRUCTLAB_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
# the fuzz targets for the spec loader and the graph readers, 60 s each (a separate clang build, tools/fuzz.sh)
bash tools/fuzz.sh
