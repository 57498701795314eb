#!/usr/bin/env bash
# Configures and builds structlab in ./build (Release, Ninja, ccache when present).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${STRUCTLAB_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build_dir" -j "$(nproc)"
