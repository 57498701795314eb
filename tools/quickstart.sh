#!/usr/bin/env bash
# README's first command: set up a fresh machine, build, and run the main job on the embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh
"${STRUCTLAB_BUILD_DIR:-build}/bin/structlab" run configs/quickstart.yaml --out runs
"${STRUCTLAB_BUILD_DIR:-build}/bin/structlab" inspect "$(ls -t runs/quickstart/*.h5 | head -n 1)"
"${STRUCTLAB_BUILD_DIR:-build}/bin/structlab" report runs/quickstart -o runs/quickstart/report.html
echo "open runs/quickstart/report.html in a browser: accuracy against density, training curves, the structure before and after pruning"
