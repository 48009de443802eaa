#!/usr/bin/env bash
# Configure (once) and build the clang AddressSanitizer + UndefinedBehaviorSanitizer tree
# build-asan/, shared by tools/sanitize.sh (the test suite) and tools/fuzz.sh (the libFuzzer
# targets), so CI compiles the sanitized code once. -O1 with line tables only: quicker to
# build than -O2 -g, and reports still name file and line. APICAL_FUZZ=ON adds the fuzz
# targets and gives io/ (what they fuzz) libFuzzer's coverage instrumentation. HDF5 stays a
# shared library here (APICAL_STATIC_HDF5=OFF): the leak suppressions (tests/lsan.supp,
# tests/fuzz/lsan.supp) and tools/fuzz.sh's "crash inside libhdf5" rule name its module.
#   tools/sanitize_build.sh [NINJA_TARGET...]      (default: everything)
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh >/dev/null
if [ ! -f build-asan/build.ninja ] || ! grep -q "CMAKE_CXX_COMPILER:.*clang" build-asan/CMakeCache.txt ||
    ! grep -q "APICAL_STATIC_HDF5:BOOL=OFF" build-asan/CMakeCache.txt; then
    rm -rf build-asan
    CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DAPICAL_FUZZ=ON -DAPICAL_STATIC_HDF5=OFF \
        -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
        -DCMAKE_C_FLAGS="-O1 -gline-tables-only -fsanitize=address,undefined -fno-omit-frame-pointer" \
        -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
fi
bash tools/ninja_quiet.sh -C build-asan -j "$(nproc)" "$@"
