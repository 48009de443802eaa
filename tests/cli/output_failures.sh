#!/usr/bin/env bash
# Outputs that cannot be written, runs killed with SIGKILL, and a file that stops growing in
# the middle of a run (a full disk). Works as root, where permissions do not stop writes:
# /proc refuses new files to everyone, a path under a regular file is never a directory, and
# RLIMIT_FSIZE (ulimit -f) makes writes past a size fail with EFBIG, as a full disk fails
# them with ENOSPC (the same path in the writer).
set -u
APICAL=$1; SRC=$2; PY=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
S="$SRC/scenarios/coba.yaml"
short=(--set "simulation.duration=50 ms")
# A .partial left by a failed write opens, says completed = 0, and holds spikes up to t_reached.
reads_back() {
    "$PY" - "$1" <<'PYEOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r')
a = f['apical'].attrs
assert a['completed'] == 0
t = float(a['t_reached'])
assert t > 0, 'nothing flushed before the limit: raise ulimit -f'
for p in ('exc', 'inh'):
    ts = f['spikes'][p]['timestamps'][:]
    assert ts.size == f['spikes'][p]['node_ids'].shape[0]
    assert ts.size > 0 and np.all(np.diff(ts) >= 0) and ts.max() < t + 1.0, (p, ts.size, ts.max(), t)
PYEOF
}

# 1. Outputs that cannot be created: exit 2 before the network is built, one clear line.
echo x >"$tmp/plain"
for out in /proc/apical_out.h5 "$tmp/plain/out.h5" "$tmp/no/such/dir/out.h5"; do
    timeout 60 "$APICAL" run "$S" -o "$out" --quiet "${short[@]}" 2>"$tmp/err"; rc=$?
    check "unwritable $out: exit $rc, expected 2" "[ $rc -eq 2 ]"
    check "unwritable $out: message names the file and why ($(cat "$tmp/err"))" \
        "grep -q 'cannot write the output $out: ' $tmp/err && [ \$(wc -l <$tmp/err) -eq 1 ]"
    check "unwritable $out: no HDF5 error stack" "! grep -q HDF5-DIAG $tmp/err"
done
check "the /proc probe really fails" "! touch /proc/apical_probe 2>/dev/null"
"$APICAL" run "$S" -o "$tmp/ok.h5" --quiet "${short[@]}" --checkpoint-every "20 ms" --checkpoint "$tmp/plain/x.ckpt" \
    2>"$tmp/err"; rc=$?
check "unwritable checkpoint: exit 2 ($(cat "$tmp/err"))" "[ $rc -eq 2 ] && grep -q 'cannot write the checkpoint' $tmp/err"
check "unwritable checkpoint: no output written" "[ ! -e $tmp/ok.h5 ] && [ ! -e $tmp/ok.h5.partial ]"

# 2. A file size limit reached in the middle of the run (a full disk): exit 1 with one
# message naming file, object and reason; the .partial keeps what was flushed and reads back;
# the previous result under the final name is untouched.
"$APICAL" run "$S" -o "$tmp/full.h5" --quiet "${short[@]}"
sum_before=$(md5sum <"$tmp/full.h5")
(
    trap '' XFSZ   # ignored: writes past the limit then fail with EFBIG instead of killing us
    ulimit -f 2048 # KiB
    APICAL_FLUSH_INTERVAL=0.2 timeout 300 "$APICAL" run "$S" -o "$tmp/full.h5" --force --quiet --threads 1 \
        --set "simulation.duration=1000 s" 2>"$tmp/err"
); rc=$?
check "full disk: exit $rc, expected 1 ($(cat "$tmp/err"))" "[ $rc -eq 1 ]"
# (A dataset write usually meets the limit first; a flush's reservation of space, case 2b,
# now and then.)
check "full disk: message names file, object and reason" \
    "grep -qE 'full.h5.partial: (/.*: cannot write dataset \(file write failed: File too large\)|cannot reserve space \(File too large\))' $tmp/err"
check "full disk: says where the results are" "grep -q 'kept in $tmp/full.h5.partial' $tmp/err"
check "full disk: no HDF5 error stack" "! grep -q HDF5-DIAG $tmp/err"
check "full disk: previous result untouched" "[ \"\$(md5sum <$tmp/full.h5)\" = \"$sum_before\" ]"
check "full disk: partial file kept" "[ -f $tmp/full.h5.partial ]"
check "full disk: partial file reads back, completed = 0, spikes up to t_reached" "reads_back $tmp/full.h5.partial"
rm -f "$tmp/full.h5.partial"

# 2b. The limit met by a flush of HDF5's metadata rather than by a dataset write (a flush
# after every epoch makes that the rule): the file is first grown to HDF5's end of
# allocation, which fails before anything of the flush is written, so the .partial keeps the
# last flush and reads back. (Met inside H5Fflush, the limit left a superblock naming an end
# the file does not reach: "truncated file", the whole file unreadable.)
(
    trap '' XFSZ
    ulimit -f 2048
    APICAL_FLUSH_INTERVAL=0.000001 timeout 300 "$APICAL" run "$S" -o "$tmp/flush.h5" --quiet --threads 1 \
        --set "simulation.duration=1000 s" 2>"$tmp/err"
); rc=$?
check "full disk at a flush: exit $rc, expected 1 ($(cat "$tmp/err"))" "[ $rc -eq 1 ]"
check "full disk at a flush: message names file and reason" \
    "grep -q 'flush.h5.partial: cannot reserve space (File too large)' $tmp/err && ! grep -q HDF5-DIAG $tmp/err"
check "full disk at a flush: partial file reads back, completed = 0, spikes up to t_reached" \
    "reads_back $tmp/flush.h5.partial"
rm -f "$tmp/flush.h5.partial"

# 3. kill -9 during a run: the previous OUT.h5 is untouched, and OUT.h5.partial reads back
# (without h5clear) up to its last flush, with exactly the spikes of an uninterrupted run.
cp "$tmp/full.h5" "$tmp/k.h5"
sum_before=$(md5sum <"$tmp/k.h5")
APICAL_FLUSH_INTERVAL=0.2 "$APICAL" run "$S" -o "$tmp/k.h5" --force --quiet --threads 1 \
    --set "simulation.duration=1000 s" 2>/dev/null &
pid=$!
# Wait for a flush that holds spikes (t_reached >= 100 ms; the writer locks the file, so the
# poll reads without locking and retries what it cannot read), then kill.
for _ in $(seq 1 600); do
    sleep 0.1
    HDF5_USE_FILE_LOCKING=FALSE "$PY" -c "
import h5py, sys
try:
    f = h5py.File('$tmp/k.h5.partial', 'r'); sys.exit(0 if f['apical'].attrs['t_reached'] >= 100 else 1)
except Exception: sys.exit(1)" 2>/dev/null && break
done
sleep 0.5
kill -9 $pid; wait $pid 2>/dev/null
check "kill -9: previous result untouched" "[ \"\$(md5sum <$tmp/k.h5)\" = \"$sum_before\" ]"
check "kill -9: partial file kept" "[ -f $tmp/k.h5.partial ]"
t_r=$("$PY" -c "import h5py; print(repr(float(h5py.File('$tmp/k.h5.partial', 'r')['apical'].attrs['t_reached'])))" 2>"$tmp/err")
check "kill -9: partial file opens without h5clear ($(cat "$tmp/err"))" "[ -n '$t_r' ]"
if [ -n "$t_r" ]; then
    "$APICAL" run "$S" -o "$tmp/ref.h5" --quiet --threads 1 --set "simulation.duration=$t_r ms"
    check "kill -9: the partial file holds the uninterrupted run's spikes up to t_reached = $t_r ms" "$PY - <<PYEOF
import h5py, numpy as np
k = h5py.File('$tmp/k.h5.partial', 'r'); r = h5py.File('$tmp/ref.h5', 'r')
assert k['apical'].attrs['completed'] == 0
n = 0
for p in ('exc', 'inh'):
    kt, kn = k['spikes'][p]['timestamps'][:], k['spikes'][p]['node_ids'][:]
    rt, rn = r['spikes'][p]['timestamps'][:], r['spikes'][p]['node_ids'][:]
    # Data written after the last flush may or may not be there; up to t_reached it all is.
    m = rt.size
    assert kt.size >= m and np.array_equal(kt[:m], rt) and np.array_equal(kn[:m], rn), (p, kt.size, m)
    n += m
assert n > 0
PYEOF"
fi

# 4. With two threads the result file is created while the network is built, under a name of
# its own (OUT.h5.partial-PID), and taken over as OUT.h5.partial when the run starts: a killed
# run's OUT.h5.partial survives a run that fails before that, and a finished run leaves
# nothing but OUT.h5.
mkdir "$tmp/two"
echo "a killed run's results" >"$tmp/two/t.h5.partial"
# A restart refused after the network is built (its checkpoint lies after the new duration).
"$APICAL" run "$S" -o "$tmp/c.h5" --quiet --threads 1 "${short[@]}" --checkpoint-every "20 ms" --checkpoint "$tmp/c.ckpt"
"$APICAL" run --restart "$tmp/c.ckpt" -o "$tmp/two/t.h5" --quiet --threads 2 --set "simulation.duration=10 ms" \
    2>"$tmp/err"; rc=$?
check "2 threads, refused restart: exit $rc, expected 2" "[ $rc -eq 2 ] && grep -q 'after simulation.duration' $tmp/err"
check "2 threads, failed start: the old partial file is untouched and nothing else is there" \
    "[ \"\$(ls $tmp/two)\" = t.h5.partial ] && grep -q 'a killed run' $tmp/two/t.h5.partial"
"$APICAL" run "$S" -o "$tmp/two/t.h5" --quiet --threads 2 "${short[@]}"; rc=$?
check "2 threads: exit $rc, expected 0" "[ $rc -eq 0 ]"
check "2 threads: only the output is left ($(ls "$tmp/two" | tr '\n' ' '))" "[ \"\$(ls $tmp/two)\" = t.h5 ]"
check "2 threads: the output reads back as completed" \
    "$PY -c \"import h5py; assert h5py.File('$tmp/two/t.h5', 'r')['apical'].attrs['completed'] == 1\""
exit $fail
