#!/usr/bin/env bash
# README's second command (the test command): set up a fresh machine, build, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh
ctest --test-dir "${STRUCTLAB_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
