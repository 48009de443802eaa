#!/usr/bin/env bash
# Networks too large for memory are refused before building, with the estimate; CSV inputs
# that are missing or malformed are refused with FILE:LINE:COL. Exit status 2, no output.
set -u
APICAL=$1; SRC=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
no_output() { [ ! -e "$tmp/out.h5" ] && [ ! -e "$tmp/out.h5.partial" ]; }

# 1. About 5e11 expected synapses (3 TB): refused at once, saying how much is needed.
cat >"$tmp/huge.yaml" <<'YAML'
name: huge
simulation: {duration: 10 ms}
populations:
  a: {model: lif, size: 1000000}
projections:
  aa: {source: a, target: a, receptor: exc, connectivity: {rule: fixed_probability, p: 0.5}, weight: 1 nS, delay: 1 ms}
YAML
start=$(date +%s)
timeout 60 "$APICAL" run "$tmp/huge.yaml" -o "$tmp/out.h5" --quiet 2>"$tmp/err"; rc=$?
check "huge network: exit $rc, expected 2 ($(cat "$tmp/err"))" "[ $rc -eq 2 ]"
check "huge network: refused before building (took $(( $(date +%s) - start )) s)" "[ $(( $(date +%s) - start )) -lt 30 ]"
# A static projection with a constant weight and delay stores 2 bytes per synapse (the
# target), plus a 4-byte row offset per source cell and target group: about 939 GiB.
check "huge network: the estimate and what is available" \
    "grep -q 'needs about 9[34][0-9] GiB of memory (1000000 cells: .*; about 5e+11 expected synapses: .*), but only .* is available' $tmp/err"
check "huge network: no output" no_output
# Cells alone: 4e9 LIF cells.
sed -e 's/size: 1000000/size: 4000000000/' -e '/^projections/,$d' "$tmp/huge.yaml" >"$tmp/cells.yaml"
timeout 60 "$APICAL" run "$tmp/cells.yaml" -o "$tmp/out.h5" --quiet 2>"$tmp/err"; rc=$?
check "4e9 cells: exit $rc, expected 2 ($(cat "$tmp/err"))" "[ $rc -eq 2 ] && grep -q '4000000000 cells' $tmp/err"
check "4e9 cells: no output" no_output
# A dt far below the delays: 1 ms delays at dt = 1e-9 ms need 2e9 event queues per cell group
# (about 134 GiB for CUBA's 3 groups); before, the build died of std::bad_alloc (exit 1).
timeout 60 "$APICAL" run "$SRC/scenarios/cuba.yaml" -o "$tmp/out.h5" --quiet \
    --set "simulation.dt=1e-9 ms" --set "simulation.duration=1 ms" 2>"$tmp/err"; rc=$?
check "tiny dt: exit $rc, expected 2, the event queues named ($(cat "$tmp/err"))" \
    "[ $rc -eq 2 ] && grep -q 'event queues, 2e+09 steps of dt (1e-09 ms) per cell group.*use a larger simulation.dt' $tmp/err"
check "tiny dt: no output" no_output
# A network that fits is not refused (the estimate is not absurdly high).
"$APICAL" run "$SRC/scenarios/coba.yaml" -o "$tmp/ok.h5" --quiet --set "simulation.duration=10 ms"
check "coba runs" "[ $? -eq 0 ]"

# 2. CSV inputs of the htm population.
mkdir -p "$tmp/d"
csv_run() { # scenario text in $1; prints stderr into $tmp/err, returns the exit status
    printf '%s\n' "$1" >"$tmp/d/s.yaml"
    timeout 60 "$APICAL" run "$tmp/d/s.yaml" -o "$tmp/out.h5" --quiet 2>"$tmp/err"
}
pop='populations:
  h: {model: htm, csv: CSVFILE}'
csv_run "${pop/CSVFILE/missing.csv}"; rc=$?
check "missing csv: exit $rc, expected 2" "[ $rc -eq 2 ]"
check "missing csv: FILE:LINE:COL of the csv key ($(cat "$tmp/err"))" "grep -q '^$tmp/d/s.yaml:2:[0-9]*: .*no such file' $tmp/err"
check "missing csv: no output" no_output
printf 'timestamp,value\n2020-01-01 00:00,1.5\n2020-01-01 00:05,abc\n' >"$tmp/d/bad.csv"
csv_run "${pop/CSVFILE/bad.csv}"; rc=$?
check "malformed csv: exit $rc, expected 2" "[ $rc -eq 2 ]"
check "malformed csv: FILE:LINE:COL inside the csv ($(cat "$tmp/err"))" "grep -q '^$tmp/d/bad.csv:3:18: ' $tmp/err"
check "malformed csv: no output" no_output
printf 'timestamp,value\n2020-01-01 00:00,1.5\n2020-01-01 00:05\n' >"$tmp/d/short.csv"
csv_run "${pop/CSVFILE/short.csv}"; rc=$?
check "short csv row: exit $rc, expected 2 ($(cat "$tmp/err"))" "[ $rc -eq 2 ] && grep -q '^$tmp/d/short.csv:3:[0-9]*: ' $tmp/err"
: >"$tmp/d/empty.csv"
csv_run "${pop/CSVFILE/empty.csv}"; rc=$?
check "empty csv: exit $rc, expected 2 ($(cat "$tmp/err"))" "[ $rc -eq 2 ] && grep -q '^$tmp/d/empty.csv:1:1: ' $tmp/err"
mkdir -p "$tmp/d/dir.csv"
csv_run "${pop/CSVFILE/dir.csv}"; rc=$?
check "directory as csv: exit $rc, expected 2 ($(cat "$tmp/err"))" "[ $rc -eq 2 ] && grep -q 'dir.csv:1:1: is a directory' $tmp/err"
csv_run "${pop/CSVFILE//dev/zero}"; rc=$?
check "device as csv (would read forever): exit $rc, expected 2 ($(cat "$tmp/err"))" \
    "[ $rc -eq 2 ] && grep -q '/dev/zero:1:1: is not a regular file' $tmp/err"
check "no HDF5 or C++ exception text" "! grep -qi 'terminate\|HDF5-DIAG\|what()' $tmp/err"
exit $fail
