#!/usr/bin/env bash
# `apical plot` in a real browser: Debian's chromium, headless, renders the report to a PNG
# without console errors, and the PNG is not blank. chromium is installed by tools/setup.sh;
# a missing browser is a failure, not a skip, so the suite means the same on every machine.
set -u
APICAL=$1; SRC=$2; PY=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
if ! command -v chromium >/dev/null; then
    echo "FAIL: chromium not installed (tools/setup.sh installs it: apt-get install chromium)"
    exit 1
fi
cat >"$tmp/s.yaml" <<'EOF'
name: plot_browser
simulation: {duration: 200 ms, dt: 0.1 ms, seed: 2}
populations:
  exc: {model: lif, size: 50}
stimuli:
  drive: {type: poisson, target: exc, receptor: voltage, rate: 2000 Hz, weight: 0.6 mV}
recording:
  spikes: all
  rates: {populations: all, bin: 10 ms}
  traces:
    vm: {population: exc, variables: [v], cells: [0, 1], interval: 0.5 ms}
EOF
"$APICAL" run "$tmp/s.yaml" -o "$tmp/r.h5" --quiet || { echo "FAIL: run"; exit 1; }
"$APICAL" plot "$tmp/r.h5" -o "$tmp/report.html" --quiet || { echo "FAIL: plot"; exit 1; }
# No network, no first-run or background fetches, a throw-away profile; a hung browser is
# killed rather than hanging the suite.
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 \
    --screenshot="$tmp/out.png" --window-size=1200,2000 "file://$tmp/report.html" >"$tmp/log" 2>&1
rc=$?
check "chromium exits 0 (rc $rc)" "[ $rc -eq 0 ]"
check "screenshot written" "[ -s $tmp/out.png ]"
check "no console errors" "! grep -E 'Uncaught|ERROR:CONSOLE|:CONSOLE[:(]' $tmp/log"
# A sweep report too (tables and grouped curves): renders without console errors.
mkdir "$tmp/sweep"
printf '%s\n' "point,g [nS],rate [Hz],seed,status,wall_s,exc.rate_hz" "0,1,5,1,ok,0.1,2.5" "1,2,5,1,ok,0.1,3.5" \
    "2,1,10,1,ok,0.1,4.0" "3,2,10,1,failed,0.1,nan" >"$tmp/sweep/summary.csv"
"$APICAL" plot "$tmp/sweep" -o "$tmp/sweep.html" --quiet || { echo "FAIL: plot sweep"; exit 1; }
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile2" --enable-logging=stderr --v=0 \
    --screenshot="$tmp/sweep.png" --window-size=1200,1200 "file://$tmp/sweep.html" >"$tmp/log2" 2>&1
check "chromium renders the sweep report" "[ $? -eq 0 ] && [ -s $tmp/sweep.png ]"
check "no console errors (sweep)" "! grep -E 'Uncaught|ERROR:CONSOLE|:CONSOLE[:(]' $tmp/log2"
[ $fail -eq 0 ] || { tail -20 "$tmp/log" "$tmp/log2"; exit 1; }
# Decode the PNG with zlib only (no PIL): undo the per-row filters and count distinct
# pixel colours; a blank page has one.
check "PNG has a drawing in it" "python3 - '$tmp/out.png' <<'PYEOF'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6), (depth, ctype)
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
colours = set()
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    if y % 4 == 0:
        for x in range(0, w, 2):
            colours.add(bytes(line[x * bpp:x * bpp + 3]))
print(w, 'x', h, len(colours), 'colours')
assert len(colours) > 10, len(colours)
PYEOF"
exit $fail
