#!/usr/bin/env bash
# Build the libFuzzer targets (tests/fuzz/) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in build-asan/, then run each for a bounded time from its seed
# corpus (tests/fuzz/corpus_*). A crash, sanitizer report, leak, uncaught exception or hang
# (-timeout) fails the script and leaves the input as build-asan/crash-* / timeout-* / oom-*.
#   tools/fuzz.sh [SECONDS_PER_TARGET]     (default 60; TARGETS="scenario" or "hdf5_reader" for one)
# New inputs the fuzzers find go to build-asan/corpus_* (not to the seed folders).
#
# One exception: a crash or hang whose innermost frame is inside the HDF5 library (a damaged
# file that libhdf5 1.10 itself mis-reads, e.g. its global heap) is a bug of HDF5 that io/
# cannot prevent; it is counted, kept in build-asan/hdf5_library_crashes/, and fuzzing goes on.
# (tests/fuzz/hdf5_library_crashes/ holds the ones found so far.)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
# The fuzz targets live in the sanitizer tree (tools/sanitize_build.sh), built once for both.
bash tools/sanitize_build.sh fuzz_scenario fuzz_hdf5_reader
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0
status=0
cd build-asan
mkdir -p hdf5_library_crashes
for t in ${TARGETS:-scenario hdf5_reader}; do
    mkdir -p "corpus_$t" "artifacts_$t"
    # HDF5 sizes some internal buffers from the file (metadata sizes) and handles a failed
    # malloc as an error: let damaged sizes fail that way (ASan would abort on the request).
    # A request above 1 GiB fails at once: HDF5 would otherwise get, say, 17 GB from a damaged
    # object header and spend the time limit clearing it (tests/fuzz/hdf5_library_crashes/
    # object_header_oom.h5). Apical's own allocations are bounded by io/'s size checks.
    opts=$ASAN_OPTIONS
    [ "$t" = hdf5_reader ] && opts=$ASAN_OPTIONS:allocator_may_return_null=1:max_allocation_size_mb=1024
    end=$((SECONDS + SECONDS_PER_TARGET)); runs=0; execs=0; library=0
    while true; do
        left=$((end - SECONDS))
        [ $left -ge 1 ] || break # (-max_total_time=0 would mean: no limit)
        runs=$((runs + 1)); log=fuzz_$t.$runs.log
        rc=0
        # (In a subshell whose stderr is the log too, so that bash's own "Aborted" line for a
        # crashing fuzzer goes there instead of cluttering the output; the `exit` keeps bash
        # from exec'ing the fuzzer in place of the subshell, which would move the line back.)
        (ASAN_OPTIONS=$opts ./fuzz_$t -max_total_time=$left -timeout=10 -rss_limit_mb=2048 \
            -max_len=65536 -print_final_stats=1 -artifact_prefix="artifacts_$t/" "corpus_$t" "../tests/fuzz/corpus_$t"
            exit $?) 2>"$log" || rc=$?
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        execs=$((execs + ${n:-0}))
        [ $rc -eq 0 ] && break
        # The innermost frame that is neither the sanitizer (its interceptors included),
        # libFuzzer nor libc: whose code made the bad access.
        top=$(bash ../tools/fuzz_innermost_frame.sh "$log")
        if [ "$t" = hdf5_reader ] && [[ "$top" == *libhdf5* ]]; then
            library=$((library + 1))
            mv "artifacts_$t"/* hdf5_library_crashes/ 2>/dev/null || true
            continue
        fi
        echo "FAIL: fuzz_$t found a problem; see build-asan/$log and build-asan/artifacts_$t/"
        grep -A30 -m1 "ERROR" "$log" | head -40
        status=1
        break
    done
    echo "fuzz_$t: $execs executions in ${SECONDS_PER_TARGET} s; crashes inside libhdf5: $library"
done
exit $status
