#!/usr/bin/env bash
# Set up (if needed), run the default scenario (COBA benchmark network, 1 s) and say where
# the results are.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
mkdir -p out
./build/apical run scenarios/coba.yaml -o out/coba.h5 --force
./build/apical inspect out/coba.h5
./build/apical plot out/coba.h5 -o out/coba.html --force --quiet
echo
echo "Results: $(pwd)/out/coba.h5  (SONATA spikes under /spikes/<population>; see docs/output.md)"
echo "Report:  $(pwd)/out/coba.html  (open in a browser; made by apical plot)"
