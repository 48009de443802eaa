#!/usr/bin/env bash
# tools/fuzz.sh lets a fuzz crash pass only when its innermost frame (tools/fuzz_innermost_frame.sh)
# is inside libhdf5. Check that choice on sanitizer reports of each kind (tests/fuzz/logs/):
# through an interceptor (strdup) into libhdf5 (CI, 2026-11-30), through glibc's sysdeps
# into libhdf5, and through an interceptor (memcpy) into Apical's own io/ code, which must
# NOT count as libhdf5's.
#   test_innermost_frame.sh SOURCE_DIR
set -u
src=$1
fail=0
expect() { # LOG PATTERN
    got=$(bash "$src/tools/fuzz_innermost_frame.sh" "$src/tests/fuzz/logs/$1")
    if [[ "$got" == *"$2"* ]]; then echo "ok   $1: $got"; else echo "FAIL $1: expected a frame with '$2', got '$got'"; fail=1; fi
}
expect hdf5_strdup_overflow.log "in H5MM_strdup (/lib/x86_64-linux-gnu/libhdf5"
expect hdf5_global_heap_segv.log "in H5HG_read (/lib/x86_64-linux-gnu/libhdf5"
expect io_memcpy_overflow.log "apical::io::Hdf5Reader::read_spikes"
exit $fail
