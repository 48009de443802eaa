#!/usr/bin/env bash
# Install what Apical needs on Debian 12 (when missing), then configure and build.
# Used by tools/demo.sh and tools/test.sh; safe to run again (does nothing new).
# chromium: tests/cli/plot_chromium.sh renders an `apical plot` report headless.
# openmpi-bin, libopenmpi-dev: `mpirun apical sweep` (optional in CMake; tests/cli/sweep.py runs it).
# clang, libclang-rt-14-dev: the libFuzzer targets (tools/fuzz.sh); clang-format: tools/format_check.sh.
# lld: lays out apical's code in the order of tools/link_order.txt (less resident memory; optional
# in CMake, APICAL_LINK_ORDER).
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS="g++ cmake ninja-build pkg-config libboost-dev libhdf5-dev catch2 libtbb-dev libyaml-cpp-dev
      librandom123-dev libcli11-dev python3 python3-h5py python3-numpy python3-matplotlib
      python3-pandas chromium openmpi-bin libopenmpi-dev clang libclang-rt-14-dev clang-format lld"
missing=()
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
BUILD=${APICAL_BUILD:-build}
if [ ! -f "$BUILD/build.ninja" ]; then
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
bash tools/ninja_quiet.sh -C "$BUILD" -j "$(nproc)"
