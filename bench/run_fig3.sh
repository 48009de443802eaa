#!/usr/bin/env bash
# Fig. 3 microcircuit, 10 s of biological time: Apical (scenarios/microcircuit_fig3_defaults.yaml)
# vs Brian2 C++ standalone (bench/brian2_fig3.py, same equations and STP), one run each, wall
# time and peak memory (GNU time, maximum resident set size) of the simulating process only
# (Brian2: the compiled binary re-run after the build; Apical: the whole `apical run`, network
# construction and HDF5 output included). Usage: bench/run_fig3.sh [DURATION_S]
set -euo pipefail
cd "$(dirname "$0")/.."
D=${1:-10}
OUT=bench/out/fig3; mkdir -p "$OUT"
/usr/bin/python3 bench/brian2_fig3.py --duration "$D" --out-dir bench/out > "$OUT/brian2_build.json"
( cd bench/out/fig3_project && /usr/bin/time -v ./main ) > "$OUT/brian2_time.txt" 2>&1
for th in 1 2; do
  /usr/bin/time -v build/apical run scenarios/microcircuit_fig3_defaults.yaml -o "$OUT/apical_t$th.h5" --force \
      --quiet --set "simulation.duration=$D s" --set "simulation.threads=$th" > "$OUT/apical_t$th.txt" 2>&1
done
num() { sed -n "s/.*$1: *//p" "$2" | head -1; }
echo "brian2 build+run: $(cat "$OUT/brian2_build.json")"
for f in brian2_time apical_t1 apical_t2; do
  echo "$f: wall $(num 'Elapsed (wall clock) time (h:mm:ss or m:ss)' "$OUT/$f.txt"), user $(num 'User time (seconds)' "$OUT/$f.txt") s, peak RSS $(num 'Maximum resident set size (kbytes)' "$OUT/$f.txt") kB"
done
/usr/bin/python3 - "$OUT" "$D" <<'PY'
import sys, h5py
out, d = sys.argv[1], float(sys.argv[2])
with h5py.File(f"{out}/apical_t1.h5", "r") as f:
    for p in ("pyr1", "pyr2", "pv", "sst"):
        print(f"apical rate {p}: {f[f'rates/{p}/rate'][:].mean():.2f} Hz")
PY
