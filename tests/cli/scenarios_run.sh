#!/usr/bin/env bash
# Every scenario shipped in scenarios/ validates, runs (shortened to 200 ms) and writes a
# result file whose layout passes the SONATA checker. A scenario with a `sweep:` section
# is also swept (every point shortened to 200 ms), and every point must be done.
set -u
APICAL=$1; SRC=$2; PY=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0; n=0
for f in "$SRC"/scenarios/*.yaml "$SRC"/scenarios/**/*.yaml; do
    [ -f "$f" ] || continue
    n=$((n + 1)); b=$(basename "$f" .yaml)
    "$APICAL" validate "$f" >/dev/null || { echo "FAIL validate $f"; fail=1; continue; }
    "$APICAL" run "$f" -o "$tmp/$b.h5" --quiet --set "simulation.duration=200 ms" || { echo "FAIL run $f"; fail=1; continue; }
    "$PY" "$SRC/tests/python/check_sonata_layout.py" "$tmp/$b.h5" || { echo "FAIL layout $f"; fail=1; }
    if grep -q '^sweep:' "$f"; then
        "$APICAL" sweep "$f" -o "$tmp/$b.sweep" --quiet --set "simulation.duration=200 ms" || { echo "FAIL sweep $f"; fail=1; continue; }
        "$PY" - "$tmp/$b.sweep/summary.csv" <<'PYEOF' || { echo "FAIL sweep summary $f"; fail=1; }
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows and all(r["status"] == "done" for r in rows), [(r["point"], r["status"], r["message"]) for r in rows]
PYEOF
    fi
done
[ $n -ge 3 ] || { echo "FAIL: only $n scenarios found"; fail=1; }
echo "$n scenarios ran"
exit $fail
