#!/usr/bin/env bash
# On a terminal `apical run` draws a progress line (simulated time, percent, speed, ETA);
# with --quiet it draws none. `script` (util-linux) provides the terminal.
set -u
APICAL=$1; SRC=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
script -qec "$APICAL run $SRC/scenarios/cuba.yaml -o $tmp/a.h5 --set 'simulation.duration=300 ms' --threads 1" /dev/null >"$tmp/tty" 2>&1
tr '\r' '\n' <"$tmp/tty" >"$tmp/lines"
grep -Eq 't = [0-9.]+ s / 0\.300 s +[0-9.]+% +[0-9.e+-]+ s/s +ETA [0-9]+ s' "$tmp/lines" || { echo "FAIL: no progress line:"; cat "$tmp/lines"; fail=1; }
grep -q '100.0%' "$tmp/lines" || { echo "FAIL: progress never reached 100%"; fail=1; }
script -qec "$APICAL run $SRC/scenarios/cuba.yaml -o $tmp/b.h5 --quiet --set 'simulation.duration=300 ms'" /dev/null >"$tmp/q" 2>&1
if grep -q 'ETA' "$tmp/q"; then echo "FAIL: progress line despite --quiet"; fail=1; fi
exit $fail
