#!/usr/bin/env bash
# Fig. 3 microcircuit, 10 s of biological time: Apical (scenarios/microcircuit_fig3_defaults.yaml)
# vs Brian2 C++ standalone (bench/brian2_fig3.py, same equations and STP). Wall time, CPU time
# (user + sys) and peak memory (GNU time) of the simulating process only (Brian2: the compiled
# binary re-run after the build; Apical: the whole `apical run`, network construction and HDF5
# output included). REPS interleaved repetitions (Brian2, Apical 1 thread, Apical 2 threads);
# best and median reported.
#   bench/run_fig3.sh [DURATION_S]            REPS=3 by default; NO_BUILD=1 reuses the Brian2 project
set -euo pipefail
cd "$(dirname "$0")/.."
D=${1:-10}
REPS=${REPS:-3}
OUT=bench/out/fig3; mkdir -p "$OUT"
if [ -z "${NO_BUILD:-}" ] || [ ! -x bench/out/fig3_project/main ]; then
  /usr/bin/python3 bench/brian2_fig3.py --duration "$D" --out-dir bench/out > "$OUT/brian2_build.json"
  echo "brian2 build+run: $(cat "$OUT/brian2_build.json")"
fi
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); git $(git rev-parse --short HEAD)"
for r in $(seq 1 "$REPS"); do
  ( cd bench/out/fig3_project && /usr/bin/time -v ./main ) > "$OUT/brian2_r$r.txt" 2>&1
  for th in 1 2; do
    /usr/bin/time -v build/apical run scenarios/microcircuit_fig3_defaults.yaml -o "$OUT/apical_t$th.h5" --force \
        --quiet --set "simulation.duration=$D s" --set "simulation.threads=$th" > "$OUT/apical_t${th}_r$r.txt" 2>&1
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$OUT" "$REPS" <<'PY'
import re, statistics, sys
out, reps = sys.argv[1], int(sys.argv[2])
def parse(path):
    t = open(path).read()
    def num(key):
        return re.search(re.escape(key) + r":\s*(\S+)", t).group(1)
    w = num("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(w)))
    cpu = float(num("User time (seconds)")) + float(num("System time (seconds)"))
    return wall, cpu, int(num("Maximum resident set size (kbytes)")) / 1024
rows = {"brian2": "brian2_r{}", "apical 1 thread": "apical_t1_r{}", "apical 2 threads": "apical_t2_r{}"}
res = {k: [parse(f"{out}/{v.format(r)}.txt") for r in range(1, reps + 1)] for k, v in rows.items()}
for k, v in res.items():
    walls = [x[0] for x in v]; cpus = [x[1] for x in v]
    print(f"{k}: wall best {min(walls):.2f} s, median {statistics.median(walls):.2f} s (all {', '.join(f'{x:.2f}' for x in walls)}); "
          f"CPU best {min(cpus):.2f} s; peak RSS {max(x[2] for x in v):.1f} MiB")
b, a1, a2 = res["brian2"], res["apical 1 thread"], res["apical 2 threads"]
best = lambda v, i: min(x[i] for x in v)
med = lambda v, i: statistics.median(x[i] for x in v)
print(f"Brian2 / Apical 1 thread: wall {best(b,0)/best(a1,0):.2f}x best, {med(b,0)/med(a1,0):.2f}x median; "
      f"CPU {best(b,1)/best(a1,1):.2f}x best")
print(f"Apical 1 -> 2 threads: {best(a1,0)/best(a2,0):.2f}x best, {med(a1,0)/med(a2,0):.2f}x median")
PY
/usr/bin/python3 - "$OUT" "$D" <<'PY'
import sys, h5py
out, d = sys.argv[1], float(sys.argv[2])
with h5py.File(f"{out}/apical_t1.h5", "r") as f:
    for p in ("pyr1", "pyr2", "pv", "sst"):
        print(f"apical rate {p}: {f[f'rates/{p}/rate'][:].mean():.2f} Hz")
PY
