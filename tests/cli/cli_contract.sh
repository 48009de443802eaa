#!/usr/bin/env bash
# The command-line contract of DESIGN.md: exit statuses, --force, --quiet, inspect --json,
# models, --set and --seed.
set -u
APICAL=$1; SRC=$2; PY=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
S="$SRC/scenarios/cuba.yaml"
"$APICAL" run "$S" -o "$tmp/a.h5" --quiet --set "simulation.duration=100 ms" >"$tmp/out" 2>&1; rc=$?
check "run exits 0" "[ $rc -eq 0 ]"
check "--quiet prints nothing" "[ ! -s $tmp/out ]"
check "output written" "[ -f $tmp/a.h5 ] && [ ! -e $tmp/a.h5.partial ]"
before=$(stat -c %Y "$tmp/a.h5")
"$APICAL" run "$S" -o "$tmp/a.h5" --quiet --set "simulation.duration=100 ms" 2>"$tmp/err"; rc=$?
check "existing output refused with 2" "[ $rc -eq 2 ]"
check "message names --force" "grep -q -- --force $tmp/err"
check "existing file untouched" "[ $(stat -c %Y "$tmp/a.h5") -eq $before ]"
"$APICAL" run "$S" -o "$tmp/a.h5" --quiet --force --set "simulation.duration=100 ms"; check "--force overwrites" "[ $? -eq 0 ]"
# Not a terminal: no progress line, only the summary on stdout.
"$APICAL" run "$S" -o "$tmp/b.h5" --set "simulation.duration=100 ms" >"$tmp/out" 2>"$tmp/err"
check "summary names the file" "grep -q 'wrote $tmp/b.h5' $tmp/out"
check "no progress line in a pipe" "[ ! -s $tmp/err ]"
# inspect --json is valid JSON with the populations.
"$APICAL" inspect "$tmp/a.h5" --json >"$tmp/j"; check "inspect exits 0" "[ $? -eq 0 ]"
check "inspect json" "$PY -c \"import json,sys; d=json.load(open('$tmp/j')); assert [p['name'] for p in d['populations']]==['exc','inh'], d; assert d['completed']==1\""
"$APICAL" inspect "$SRC/README.md" >/dev/null 2>"$tmp/err"; rc=$?
check "inspect of a non-HDF5 file fails cleanly" "[ $rc -eq 2 ] && ! grep -q 'HDF5-DIAG' $tmp/err"
# models
"$APICAL" models >"$tmp/m"; check "models lists lif and adex" "grep -q '^  lif' $tmp/m && grep -q '^  adex' $tmp/m"
"$APICAL" models lif >"$tmp/m"; check "models lif shows units" "grep -q 'C_m *pF' $tmp/m"
"$APICAL" models nosuch 2>/dev/null; check "unknown model name exits 2" "[ $? -eq 2 ]"
# usage errors
"$APICAL" 2>/dev/null; check "no subcommand exits 2" "[ $? -eq 2 ]"
"$APICAL" run 2>/dev/null; check "missing scenario exits 2" "[ $? -eq 2 ]"
"$APICAL" run "$tmp/nonexistent.yaml" 2>"$tmp/err"; check "missing file exits 2" "[ $? -eq 2 ] && grep -q nonexistent $tmp/err"
# A directory opens as a stream and reads as empty: it must not pass for a scenario without keys.
mkdir -p "$tmp/adir"
"$APICAL" validate "$tmp/adir" 2>"$tmp/err"
check "a directory as the scenario exits 2, saying so" "[ $? -eq 2 ] && grep -q '^$tmp/adir:1:1: is a directory; expected a scenario file' $tmp/err"
# A directory where a file is to be written is refused before anything runs, even with
# --force (which replaces files only); before, run, plot and export found it only at the
# final rename, after the work, and left DIR.partial behind.
"$APICAL" run "$S" -o "$tmp/adir" --force --quiet --set "simulation.duration=5 ms" 2>"$tmp/err"
check "run -o DIR: exit 2, saying so, nothing left" \
    "[ $? -eq 2 ] && grep -q 'cannot write the output $tmp/adir: it is a directory' $tmp/err && [ ! -e $tmp/adir.partial ]"
"$APICAL" run "$S" -o "$tmp/ck.h5" --quiet --set "simulation.duration=5 ms" --checkpoint-every "2 ms" \
    --checkpoint "$tmp/adir" 2>"$tmp/err"
check "run --checkpoint DIR: exit 2, saying so, nothing written" \
    "[ $? -eq 2 ] && grep -q 'cannot write the checkpoint $tmp/adir: it is a directory' $tmp/err && [ ! -e $tmp/ck.h5 ] && [ ! -e $tmp/adir.partial ]"
"$APICAL" plot "$tmp/a.h5" -o "$tmp/adir" --force 2>"$tmp/err"
check "plot -o DIR: exit 2, saying so, nothing left" \
    "[ $? -eq 2 ] && grep -q 'is a directory; choose a file with -o' $tmp/err && [ ! -e $tmp/adir.partial ]"
"$APICAL" export "$tmp/a.h5" --format nwb -o "$tmp/adir" --force 2>"$tmp/err"
check "export nwb -o DIR: exit 2, saying so, nothing left" \
    "[ $? -eq 2 ] && grep -q 'is a directory; the NWB export writes one file' $tmp/err && [ ! -e $tmp/adir.partial ]"
# --seed changes the network; the same seed gives the same spikes.
"$APICAL" run "$S" -o "$tmp/s1.h5" --quiet --seed 5 --set "simulation.duration=100 ms"
"$APICAL" run "$S" -o "$tmp/s2.h5" --quiet --seed 5 --set "simulation.duration=100 ms" --threads 1
"$APICAL" run "$S" -o "$tmp/s3.h5" --quiet --seed 6 --set "simulation.duration=100 ms"
check "seed recorded, same seed same spikes, other seed other spikes" "$PY - <<PYEOF
import h5py, numpy as np
a, b, c = (h5py.File('$tmp/s%d.h5' % i, 'r') for i in (1, 2, 3))
assert int(a['apical'].attrs['seed']) == 5
for p in ('exc', 'inh'):
    assert np.array_equal(a['spikes'][p]['timestamps'][:], b['spikes'][p]['timestamps'][:])
    assert np.array_equal(a['spikes'][p]['node_ids'][:], b['spikes'][p]['node_ids'][:])
assert not np.array_equal(a['spikes']['exc']['timestamps'][:], c['spikes']['exc']['timestamps'][:])
PYEOF"
# --seed is checked like --set simulation.seed: a negative or non-numeric seed is refused (a
# number parser would have taken "-5" as 2^64 - 5), and nothing is written.
for bad in -5 abc; do
    "$APICAL" run "$S" -o "$tmp/bad_threads.h5" --quiet --threads "$bad" 2>"$tmp/err"; rc=$?
    check "--threads $bad exits 2 with the allowed range, writes nothing" \
        "[ $rc -eq 2 ] && grep -q 'simulation.threads: expected a whole number in \[0, 65535\], got \"$bad\"' $tmp/err && [ ! -e $tmp/bad_threads.h5 ]"
    "$APICAL" run "$S" -o "$tmp/bad_seed.h5" --quiet --seed "$bad" 2>"$tmp/err"; rc=$?
    check "--seed $bad exits 2 with the allowed range, writes nothing" \
        "[ $rc -eq 2 ] && grep -q 'simulation.seed: expected a whole number in \[0, 18446744073709551615\], got \"$bad\"' $tmp/err && [ ! -e $tmp/bad_seed.h5 ] && [ ! -e $tmp/bad_seed.h5.partial ]"
done
# simulation.group_size is used (the summary names the groups) and changes no spike.
"$APICAL" run "$S" -o "$tmp/g.h5" --seed 5 --set "simulation.duration=100 ms" --set simulation.group_size=1024 \
    --threads 2 >"$tmp/out"
check "group_size 1024: 3200 + 800 cells in 5 groups" "grep -q '4000 cells in 5 groups (group_size 1024)' $tmp/out"
# The automatic cut with grid event times: 3 groups of at most 2048 cells on 1 thread; on 2
# threads 3 groups too, first cut where the threads' equal shares of the work meet (2000,
# 1200, 800; docs/scenario.md).
for t in 1 2; do
    "$APICAL" run "$S" -o "$tmp/a$t.h5" --set "simulation.duration=10 ms" --set simulation.event_times=grid \
        --threads $t >"$tmp/out$t"
done
check "automatic group size, grid, 1 thread: 3 groups of 2048" "grep -q '4000 cells in 3 groups (group_size 2048)' $tmp/out1"
check "automatic group size, grid, 2 threads: 3 groups, cut in 2 shares" "grep -q '4000 cells in 3 groups (group_size 2048, cut in 2 equal shares)' $tmp/out2"
# More threads than the process may use at once: it says so and runs on what there is (here one
# CPU of its affinity mask, via taskset), with the same spikes.
cpu=$($PY -c 'import os; print(min(os.sched_getaffinity(0)))')
taskset -c "$cpu" "$APICAL" run "$S" -o "$tmp/t3.h5" --seed 5 --set "simulation.duration=100 ms" --threads 3 \
    >"$tmp/out" 2>"$tmp/err"; rc=$?
check "3 threads on one CPU: runs" "[ $rc -eq 0 ]"
check "3 threads on one CPU: says it runs on 1" \
    "grep -q '3 threads asked for, but this process runs at most 1 at once (the CPUs it may use); running on 1' $tmp/err"
check "3 threads on one CPU: no TBB warning" "! grep -q 'TBB Warning' $tmp/err"
check "3 threads on one CPU: the summary and the file name 1 thread, the spikes are the same" "grep -q ' 1 threads,' $tmp/out && $PY - <<PYEOF
import h5py, numpy as np
a, t = h5py.File('$tmp/s1.h5', 'r'), h5py.File('$tmp/t3.h5', 'r')
assert int(t['apical'].attrs['threads']) == 1, t['apical'].attrs['threads']
for p in ('exc', 'inh'):
    assert np.array_equal(a['spikes'][p]['timestamps'][:], t['spikes'][p]['timestamps'][:])
    assert np.array_equal(a['spikes'][p]['node_ids'][:], t['spikes'][p]['node_ids'][:])
PYEOF"
taskset -c "$cpu" "$APICAL" run "$S" -o "$tmp/t3q.h5" --quiet --set "simulation.duration=10 ms" --threads 3 \
    >"$tmp/out" 2>"$tmp/err"
check "3 threads on one CPU: the note also with --quiet, nothing else" \
    "[ ! -s $tmp/out ] && [ \$(wc -l <$tmp/err) -eq 1 ] && grep -q 'running on 1' $tmp/err"
check "group_size changes no spike" "$PY - <<PYEOF
import h5py, numpy as np
a, g = h5py.File('$tmp/s1.h5', 'r'), h5py.File('$tmp/g.h5', 'r')
for p in ('exc', 'inh'):
    assert len(a['spikes'][p]['timestamps']) > 0
    assert np.array_equal(a['spikes'][p]['timestamps'][:], g['spikes'][p]['timestamps'][:])
    assert np.array_equal(a['spikes'][p]['node_ids'][:], g['spikes'][p]['node_ids'][:])
PYEOF"
exit $fail
