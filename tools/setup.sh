#!/usr/bin/env bash
# Installs every Debian 12 package structlab needs to build, test and run; does nothing when all are there.
# Run as root (or with sudo available). Safe to run again.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libtorch-dev libopenblas0-openmp
  libyaml-cpp-dev libboost-dev libboost-graph-dev libhdf5-dev zlib1g-dev
  libgtest-dev libcli11-dev nlohmann-json3-dev libfmt-dev libeigen3-dev
  dataset-fashion-mnist hdf5-tools
  python3-h5py python3-numpy python3-torch
  clang libclang-rt-14-dev
  python3-pandas libjs-chart.js graphviz chromium
  munge slurmctld slurmd slurm-client
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then as_root=(sudo); else
    echo "setup: missing packages (${missing[*]}) and not root; run as root or install sudo" >&2
    exit 1
  fi
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq "${missing[@]}"
echo "setup: done"
