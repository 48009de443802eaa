#!/usr/bin/env bash
# Print the innermost stack frame of a sanitizer/libFuzzer report (LOG) that belongs to
# neither the sanitizer runtime, libFuzzer, nor libc: the code that actually did the bad
# access. tools/fuzz.sh uses it to tell a bug of libhdf5 (that frame is in libhdf5) from one
# of Apical's. Sanitizer interceptors (strdup, strlen, memcpy, ...) are linked into the fuzz
# binary and show as a frame of that binary without a source location, e.g.
#   #0 0x55.. in strdup (/path/build-asan/fuzz_hdf5_reader+0xe38a5)
# while Apical's own frames in that binary carry FILE:LINE:COL. So a fuzz-binary frame
# without a source location is skipped like the runtime's. Tested by tests/cli/fuzz_frames.sh.
#   tools/fuzz_innermost_frame.sh LOG
set -euo pipefail
grep -E '^ *#[0-9]+ ' "$1" |
    grep -v -E 'sanitizer|fuzzer::|libc\.so|libclang_rt|interceptor|sysdeps/' |
    grep -v -E '\(/[^ ]*/fuzz_[a-z0-9_]+\+0x[0-9a-f]+\)' |
    head -1 || true
