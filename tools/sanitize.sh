#!/usr/bin/env bash
# Build with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/ and run the test
# suite under it (the headless-browser test is left out: it exercises Chromium, not Apical).
# Any sanitizer report aborts the process and fails its test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh >/dev/null
if [ ! -f build-asan/build.ninja ]; then
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" >/dev/null
fi
ninja -C build-asan -j "$(nproc)" | tail -1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -E chromium "$@"
