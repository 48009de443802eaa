#!/usr/bin/env bash
# Build with AddressSanitizer + UndefinedBehaviorSanitizer (clang, build-asan/, see
# tools/sanitize_build.sh) and run the test suite under it (the headless-browser test is left
# out: it exercises Chromium, not Apical). Any sanitizer report aborts the process and fails
# its test; leaks are reported, except those inside OpenMPI's and HDF5's own libraries
# (tests/lsan.supp).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/sanitize_build.sh
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -E chromium "$@"
