#!/usr/bin/env bash
# 1, 2 and 4 threads, and Brian2 beside them, on a quiet machine that lacks Apical's Debian
# packages (the lent 16-core machine): Apical from .bundle/ (bench/device_bundle.sh), Brian2
# from the C++ standalone projects copied to .b2/ (generated here, compiled there by their own
# makefiles). REPS (default 5) interleaved rounds, each with:
#   COBA and CUBA, grid event times, 10 s: 1, 2 and 4 threads, and 1 ms runs on 1 and 2
#     threads (3 each: the fixed cost of start-up, network build, output file and exit);
#   COBA and CUBA, exact event times: 1 and 2 threads;
#   CUBA 4x larger (12800 + 3200 cells, same in-degree), grid: 1 and 2 threads;
#   Brian2 COBA and CUBA (1 thread).
# Whole process timed with /usr/bin/time; Apical's own split (run loop / the rest) read from
# its summary line. Output: ${OUT:-.}/threads.txt, one line per measurement:
#   NAME wall_s rss_kib      and, for Apical runs,      NAME loop run_loop_s
# then bench/summarize_threads.py prints the medians and ratios.
set -u
B2_MODELS="coba cuba"
. "$(dirname "$0")/device_env.sh"
R=$OUT/threads.txt
: >"$R"
LOG=$OUT/last.log
# Wall time from bash's clock (microseconds; /usr/bin/time's %e has only 10 ms), peak RSS from
# /usr/bin/time.
timed() { # NAME command...: appends "NAME wall rss" to $R
  local name=$1 t0 t1 ok=0; shift
  t0=$EPOCHREALTIME
  "$T" -f "%M" -o "$OUT/rss.txt" "$@" || ok=$?
  t1=$EPOCHREALTIME
  [ "$ok" = 0 ] && echo "$name $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b - a}') $(tail -1 "$OUT/rss.txt")" >>"$R"
  return "$ok"
}
ap() { # NAME apical-args...
  local name=$1; shift
  if timed "$name" "$A" run "$@" -o /tmp/dt.h5 --force >"$LOG" 2>&1; then
    sed -n "s/^ *\([0-9.e+-]*\) s in the run loop.*/$name loop \1/p" "$LOG" >>"$R"
  else
    echo "$name FAILED" >>"$R"; tail -3 "$LOG" >>"$OUT/errors.txt"
  fi
}
b2() { # NAME project
  [ -x .b2/$2/main ] || return 0
  (cd .b2/$2 && timed "$1" ./main >/dev/null 2>>"$OUT/errors.txt") || echo "$1 FAILED" >>"$R"
}
G="--set simulation.duration=10s --set simulation.event_times=grid"
X="--set simulation.duration=10s --set simulation.event_times=exact"
F="--set simulation.duration=1ms --set simulation.event_times=grid"
BIG="--set populations.exc.size=12800 --set populations.inh.size=3200"
for p in ee ei ie ii; do BIG="$BIG --set projections.$p.connectivity.p=0.005"; done
for rep in $(seq "${REPS:-5}"); do
  for t in 1 2 4; do ap cuba_grid_t$t scenarios/cuba.yaml $G --seed 1 --threads $t; done
  for t in 1 2 4; do ap coba_grid_t$t scenarios/coba.yaml $G --seed 13 --threads $t; done
  for i in 1 2 3; do for t in 1 2; do
    ap cuba_fixed_t$t scenarios/cuba.yaml $F --seed 1 --threads $t
    ap coba_fixed_t$t scenarios/coba.yaml $F --seed 13 --threads $t
  done; done
  for t in 1 2; do ap cuba_exact_t$t scenarios/cuba.yaml $X --seed 1 --threads $t; done
  for t in 1 2; do ap coba_exact_t$t scenarios/coba.yaml $X --seed 1 --threads $t; done
  for t in 1 2; do ap cuba16k_grid_t$t scenarios/cuba.yaml $G $BIG --seed 1 --threads $t; done
  b2 brian2_coba coba_project
  b2 brian2_cuba cuba_project
  echo "round $rep done" >&2
done
PY=python3; command -v "$PY" >/dev/null || PY=/usr/bin/python3
"$PY" bench/summarize_threads.py "$R" | tee "$OUT/summary.md"
