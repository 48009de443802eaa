#!/usr/bin/env bash
# Build the libFuzzer targets (tests/fuzz/) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in build-fuzz/, then run each for a bounded time from its seed
# corpus (tests/fuzz/corpus_*). A crash, sanitizer report, leak, uncaught exception or hang
# (-timeout) fails the script and leaves the input as build-fuzz/crash-* / timeout-*.
#   tools/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
# New inputs the fuzzers find go to build-fuzz/corpus_* (not to the seed folders).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
bash tools/setup.sh >/dev/null
if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAPICAL_FUZZ=ON \
        -DBUILD_TESTING=OFF -DAPICAL_MPI=OFF \
        -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
        >/dev/null
fi
ninja -C build-fuzz -j "$(nproc)" fuzz_scenario fuzz_hdf5_reader | tail -1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0
status=0
for t in scenario hdf5_reader; do
    seeds=tests/fuzz/corpus_$t
    work=build-fuzz/corpus_$t
    mkdir -p "$work"
    echo "fuzz_$t: ${SECONDS_PER_TARGET} s"
    # HDF5 sizes some internal buffers from the file (metadata sizes) and handles a failed
    # malloc as an error: let damaged sizes fail that way (ASan would abort on the request).
    # Apical's own allocations are bounded by -rss_limit_mb and io/'s size checks.
    opts=$ASAN_OPTIONS
    [ "$t" = hdf5_reader ] && opts=$ASAN_OPTIONS:allocator_may_return_null=1
    # -rss_limit_mb: an input that makes the reader allocate gigabytes is a bug, not a pass.
    if ! (cd build-fuzz && ASAN_OPTIONS=$opts ./fuzz_$t -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
            -max_len=65536 -print_final_stats=1 "corpus_$t" "../$seeds" 2>"fuzz_$t.log"); then
        echo "FAIL: fuzz_$t found a problem; see build-fuzz/fuzz_$t.log and build-fuzz/crash-*"
        tail -40 "build-fuzz/fuzz_$t.log"
        status=1
    else
        grep -E "stat::number_of_executed_units|Done" "build-fuzz/fuzz_$t.log" | tail -2
    fi
done
exit $status
