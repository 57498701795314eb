#!/usr/bin/env bash
# Configures and builds structlab in ./build (Release, Ninja; -DSTRUCTLAB_USE_CCACHE=ON in STRUCTLAB_CMAKE_ARGS
# for ccache).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${STRUCTLAB_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${STRUCTLAB_CMAKE_ARGS:-}
cmake --build "$build_dir" -j "$(nproc)"
