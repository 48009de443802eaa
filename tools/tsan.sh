#!/usr/bin/env bash
# Build with ThreadSanitizer in build-tsan/ and run the multi-threaded part of the suite under
# it: the unit tests that run the engine on several TBB threads (determinism across 1, 2 and 4
# threads, checkpoint restarts on another thread count), and the command-line tests that run
# threads or parallel sweep points in one process.
# TBB itself is not built with TSan, so its internal synchronisation is invisible to it;
# tests/tsan.supp lists what that makes TSan report (and why), nothing of Apical's own code.
# Any other report fails the test that triggered it.
# Built with clang: GCC 12's TSan runtime deadlocks inside itself (its thread registry lock)
# when TBB starts worker threads, hanging the multi-thread determinism tests.
#   tools/tsan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh >/dev/null
if [ ! -f build-tsan/build.ninja ]; then
    CC=clang CXX=clang++ cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DAPICAL_MPI=OFF -DAPICAL_STATIC_HDF5=OFF \
        -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only -fsanitize=thread -fno-omit-frame-pointer" >/dev/null
fi
bash tools/ninja_quiet.sh -C build-tsan -j "$(nproc)" apical apical_tests
export TSAN_OPTIONS="halt_on_error=1 abort_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp"
build-tsan/tests/apical_tests "[determinism],[checkpoint],[engine]"
# Built without MPI on purpose (OpenMPI is not TSan-instrumented): cli.sweep runs all but its MPI part.
APICAL_TESTS_WITHOUT_MPI=1 ctest --test-dir build-tsan --output-on-failure -j "$(nproc)" -R '^cli\.(sweep|checkpoint_restart|checkpoint_hooks)$'
