#!/usr/bin/env bash
# One command for the Apical vs Brian2 benchmarks (Brette et al. 2007 COBA and CUBA, and the
# naud2018 two-compartment cells with background noise of issue 3; the variants are described in
# bench/README.md). Builds Apical in Release if needed, builds the Brian2 C++ standalone binaries
# if needed, times both under /usr/bin/time -v, writes bench/RESULTS.md.
#
#   bench/run_bench.sh                 COBA and CUBA, 10 s, 3 repetitions -> bench/RESULTS.md
#   bench/run_bench.sh --models naud2018   the naud2018 benchmark only: replaces its section of
#                                      bench/RESULTS.md (the COBA/CUBA part is kept, and vice versa)
#   bench/run_bench.sh --quick         1 s, 1 repetition (smoke test) -> bench/out/RESULTS-quick.md
#   options: --reps N  --duration S  --seed N  --models coba,cuba,naud2018  --no-build
#            --rebuild-brian2  --results FILE  --out-dir DIR
#   environment: PYTHON (default /usr/bin/python3, the Debian Python that has Brian2),
#                BUILD_DIR (default build)
#
# If Apical is missing, fails to build or fails to run, the report says so and still carries the
# Brian2 numbers.
set -u -o pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
BUILD_DIR="${BUILD_DIR:-build}"
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac

ARGS=("$@")
QUICK=0 BUILD=1 RESULTS="" OUT_DIR="" DRIVER_ARGS=() MODELS="coba,cuba"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --results) RESULTS="$2"; shift 2 ;;
    --out-dir) OUT_DIR="$2"; shift 2 ;;
    --models) [ $# -ge 2 ] || { echo "run_bench.sh: $1 needs a value" >&2; exit 2; }
      MODELS="$2"; shift 2 ;;
    --reps|--duration|--seed|--seed-tries|--alive-hz)
      [ $# -ge 2 ] || { echo "run_bench.sh: $1 needs a value" >&2; exit 2; }
      DRIVER_ARGS+=("$1" "$2"); shift 2 ;;
    --rebuild-brian2) DRIVER_ARGS+=("$1"); shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "run_bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$QUICK" = 1 ]; then
  # Later --duration/--reps given by the user win (argparse keeps the last).
  DRIVER_ARGS=(--duration 1 --reps 1 --quick "${DRIVER_ARGS[@]}")
  OUT_DIR="${OUT_DIR:-$HERE/out/quick}"
  RESULTS="${RESULTS:-$HERE/out/RESULTS-quick.md}"
fi
OUT_DIR="${OUT_DIR:-$HERE/out/full}"
RESULTS="${RESULTS:-$HERE/RESULTS.md}"
mkdir -p "$OUT_DIR" "$(dirname "$RESULTS")"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
RESULTS="$(cd "$(dirname "$RESULTS")" && pwd)/$(basename "$RESULTS")"

say() { echo "[bench] $*" >&2; }

# --- tools -----------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  say "/usr/bin/time is missing; installing the Debian package 'time'"
  if [ "$(id -u)" = 0 ]; then apt-get install -y time >&2 || true; else sudo apt-get install -y time >&2 || true; fi
  [ -x /usr/bin/time ] || { say "ERROR: /usr/bin/time is required (apt-get install time)"; exit 1; }
fi
if ! "$PYTHON" -c 'import brian2, numpy' 2>/dev/null; then
  say "ERROR: $PYTHON cannot import brian2 and numpy (Debian: apt-get install python3-brian);"
  say "       set PYTHON=/path/to/python3 to use another interpreter"
  exit 1
fi

# --- Apical: build in Release if needed -------------------------------------------------------
APICAL="$BUILD_DIR/apical"
APICAL_STATUS=""
APICAL_BUILD="n/a"
if [ "$BUILD" = 1 ]; then
  BUILD_LOG="$OUT_DIR/apical_build.log"
  : > "$BUILD_LOG"
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    say "configuring Apical (Release) in $BUILD_DIR"
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >>"$BUILD_LOG" 2>&1 \
      || APICAL_STATUS="cmake configure failed (see ${BUILD_LOG#$ROOT/})"
  fi
  if [ -z "$APICAL_STATUS" ]; then
    say "building Apical (ninja -C $BUILD_DIR apical)"
    ninja -C "$BUILD_DIR" apical >>"$BUILD_LOG" 2>&1 \
      || APICAL_STATUS="build failed (see ${BUILD_LOG#$ROOT/})"
  fi
  [ -n "$APICAL_STATUS" ] && { say "Apical: $APICAL_STATUS"; tail -n 15 "$BUILD_LOG" >&2; }
fi
if [ -z "$APICAL_STATUS" ]; then
  if [ ! -x "$APICAL" ]; then
    APICAL_STATUS="$APICAL does not exist"
  else
    BT="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null)"
    APICAL_BUILD="CMAKE_BUILD_TYPE=${BT:-unknown}"
    [ "${BT:-}" = Release ] || say "WARNING: $BUILD_DIR is configured as '${BT:-unknown}', not Release"
    # Smoke check: a 10 ms run must succeed before we time anything.
    rm -f "$OUT_DIR/apical_smoke.h5"
    if ! "$APICAL" run "$ROOT/scenarios/coba.yaml" -o "$OUT_DIR/apical_smoke.h5" --force --quiet \
         --set "simulation.duration=10 ms" --threads 1 >"$OUT_DIR/apical_smoke.log" 2>&1; then
      APICAL_STATUS="apical run failed on scenarios/coba.yaml (10 ms smoke run; see ${OUT_DIR#$ROOT/}/apical_smoke.log: $(tail -n 3 "$OUT_DIR/apical_smoke.log" | tr '\n' ' '))"
    elif [ ! -s "$OUT_DIR/apical_smoke.h5" ]; then
      APICAL_STATUS="apical run exited 0 but wrote no output file (10 ms smoke run of scenarios/coba.yaml)"
    fi
  fi
fi
[ -n "$APICAL_STATUS" ] && say "Apical will not be measured: $APICAL_STATUS (Brian2 numbers are still produced)"

# --- run and report -------------------------------------------------------------------------
cd "$ROOT"
BRETTE="" NAUD=0
IFS=, read -r -a MODEL_LIST <<<"$MODELS"
for m in "${MODEL_LIST[@]}"; do
  case "$m" in
    coba|cuba) BRETTE="${BRETTE:+$BRETTE,}$m" ;;
    naud2018) NAUD=1 ;;
    "") ;;
    *) say "unknown model '$m' (coba, cuba, naud2018)"; exit 2 ;;
  esac
done
# The naud2018 section of the report (between its markers) survives a COBA/CUBA run and is
# replaced by a naud2018 run; bench/splice_section.py does both.
NAUD_BLOCK="$OUT_DIR/naud2018-section.md"
rc=0
if [ -n "$BRETTE" ]; then
  # Both event-timing modes of Apical, each against the same Brian2 build; one report.
  for mode in exact grid; do
    "$PYTHON" "$HERE/bench_driver.py" "${DRIVER_ARGS[@]}" --models "$BRETTE" --event-times "$mode" \
      --apical "$APICAL" --apical-status "$APICAL_STATUS" --apical-build "$APICAL_BUILD" \
      --python "$PYTHON" --out-dir "$OUT_DIR/$mode" --results "$OUT_DIR/RESULTS-$mode.md" \
      --command-line="${ARGS[*]:-}" || rc=$?
  done
  "$PYTHON" "$HERE/splice_section.py" extract "$RESULTS" >"$OUT_DIR/naud2018-previous.md" 2>/dev/null || true
  "$PYTHON" "$HERE/summarize_results.py" "$OUT_DIR/RESULTS-exact.md" "$OUT_DIR/RESULTS-grid.md" >"$RESULTS" || rc=$?
  [ -s "$OUT_DIR/naud2018-previous.md" ] && "$PYTHON" "$HERE/splice_section.py" insert "$RESULTS" "$OUT_DIR/naud2018-previous.md"
fi
if [ "$NAUD" = 1 ]; then
  # The naud2018 preset integrates on the step grid (compatibility mode, forward Euler); only
  # the step an input event is applied in depends on simulation.event_times (grid: the first
  # step starting at or after it, as Brian2). The scenario sets grid and so does the driver.
  "$PYTHON" "$HERE/bench_driver.py" "${DRIVER_ARGS[@]}" --models naud2018 --event-times grid \
    --apical "$APICAL" --apical-status "$APICAL_STATUS" --apical-build "$APICAL_BUILD" \
    --python "$PYTHON" --out-dir "$OUT_DIR/naud2018" --results "$NAUD_BLOCK" \
    --command-line="${ARGS[*]:-}" || rc=$?
  [ -s "$NAUD_BLOCK" ] && { "$PYTHON" "$HERE/splice_section.py" insert "$RESULTS" "$NAUD_BLOCK" || rc=$?; }
fi
[ $rc = 0 ] && say "done: $RESULTS" || say "the driver failed (exit $rc)"
exit $rc
