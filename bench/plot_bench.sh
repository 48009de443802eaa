#!/usr/bin/env bash
# Times `apical plot` on a 10 s COBA result (scenarios/coba.yaml, about 800k spikes) and
# reports the time and the HTML size against the targets (under 5 s, under 10 MB).
#
#   bench/plot_bench.sh              print a Markdown section
#   bench/plot_bench.sh --append     ... and append it to bench/PLOT.md
#   environment: BUILD_DIR (default build), OUT_DIR (default bench/out/plot), REPS (default 3)
#
# The simulation result is kept in OUT_DIR and reused, so only the first call pays for the
# 10 s run.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-build}"
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
OUT_DIR="${OUT_DIR:-$HERE/out/plot}"
REPS="${REPS:-3}"
APPEND=0
[ "${1:-}" = "--append" ] && APPEND=1
APICAL="$BUILD_DIR/apical"
[ -x "$APICAL" ] || { echo "plot_bench.sh: $APICAL not built (cmake -S . -B build -G Ninja && ninja -C build)" >&2; exit 2; }
mkdir -p "$OUT_DIR"
H5="$OUT_DIR/coba10.h5"
if [ ! -f "$H5" ]; then
    "$APICAL" run "$ROOT/scenarios/coba.yaml" -o "$H5" --force --quiet --set "simulation.duration=10 s"
fi
spikes=$("$APICAL" inspect "$H5" --json | python3 -c "import json,sys; print(sum(p['spikes'] or 0 for p in json.load(sys.stdin)['populations']))")
best=""
for _ in $(seq "$REPS"); do
    s=$(date +%s.%N)
    "$APICAL" plot "$H5" -o "$OUT_DIR/coba10.html" --force --quiet
    e=$(date +%s.%N)
    t=$(python3 -c "print(f'{$e - $s:.3f}')")
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then best=$t; fi
done
bytes=$(stat -c %s "$OUT_DIR/coba10.html")
mb=$(python3 -c "print(f'{$bytes / 1e6:.2f}')")
verdict=$(python3 -c "print('meets' if $best < 5 and $bytes < 10e6 else 'MISSES')")
section="## $(date -u +%Y-%m-%d): apical plot on a 10 s COBA result

- input: \`scenarios/coba.yaml\` run for 10 s (seed from the file), $spikes spikes, $(stat -c %s "$H5") bytes
- \`apical plot\`: best of $REPS: **$best s**, HTML **$mb MB** ($bytes bytes); $verdict the targets (< 5 s, < 10 MB)
- machine: $(nproc) cores, $(uname -m); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
- command: \`bench/plot_bench.sh --append\` (times \`apical plot ${H5#"$ROOT"/} -o coba10.html --force\`)
"
echo "$section"
if [ "$APPEND" = 1 ]; then
    [ -f "$HERE/PLOT.md" ] || printf '# apical plot: time and size\n\nAppended by bench/plot_bench.sh; one section per measurement.\n\n' >"$HERE/PLOT.md"
    printf '%s\n' "$section" >>"$HERE/PLOT.md"
fi
