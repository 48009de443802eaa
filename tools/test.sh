#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
