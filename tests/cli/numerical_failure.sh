#!/usr/bin/env bash
# A run whose state blows up (lif on the RK4 path with C_m / g_L = 1e-4 ms, far below dt)
# stops with exit 1 and a message naming population, cell, variable, time and a hint; the
# file holds what came before, marked completed = 0.
set -u
APICAL=$1; SRC=$2; PY=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/blow.yaml" <<'YAML'
name: blowup
simulation: {duration: 100 ms, dt: 0.1 ms}
populations:
  ok: {model: lif, size: 2}
  a: {model: lif, size: 3, parameters: {C_m: 0.001 pF}}
stimuli:
  drive: {type: poisson, target: a, receptor: exc, rate: 1000 Hz, weight: 1 nS}
YAML
"$APICAL" run "$tmp/blow.yaml" -o "$tmp/b.h5" 2>"$tmp/err" >/dev/null; rc=$?
fail=0
[ $rc -eq 1 ] || { echo "FAIL: exit $rc, expected 1"; fail=1; }
for frag in "numerical failure" "population 'a', cell " ": v = " " ms; " "smaller simulation.dt" "completed = 0"; do
    grep -qF -- "$frag" "$tmp/err" || { echo "FAIL: no '$frag' in: $(cat "$tmp/err")"; fail=1; }
done
"$PY" -c "
import h5py; f = h5py.File('$tmp/b.h5', 'r')
assert f['apical'].attrs['completed'] == 0
assert f['apical'].attrs['t_reached'] < 100.0
" || { echo "FAIL: result file not marked incomplete"; fail=1; }
exit $fail
