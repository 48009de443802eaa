#!/usr/bin/env bash
# Every file in tests/bad_scenarios must be refused by `apical validate` and by
# `apical run` with exit status 2, a FILE:LINE:COL message containing the expected
# fragment, and no output file written.
set -u
APICAL=$1; SRC=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0; n=0
for f in "$SRC"/tests/bad_scenarios/*.yaml; do
    n=$((n + 1))
    expect=$(sed -n 's/^# expect: //p' "$f" | head -1)
    at=$(sed -n 's/^# at: //p' "$f" | head -1)
    for cmd in validate run; do
        if [ "$cmd" = run ]; then args=(run "$f" -o "$tmp/out.h5" --quiet); else args=(validate "$f"); fi
        err=$(timeout 20 "$APICAL" "${args[@]}" 2>&1 >/dev/null); rc=$?
        if [ $rc -ne 2 ]; then echo "FAIL $cmd $(basename "$f"): exit $rc, expected 2 ($err)"; fail=1; continue; fi
        case "$err" in *"$f:$at:"*) ;; *) echo "FAIL $cmd $(basename "$f"): no '$f:$at:' in: $err"; fail=1 ;; esac
        case "$err" in *"$expect"*) ;; *) echo "FAIL $cmd $(basename "$f"): no '$expect' in: $err"; fail=1 ;; esac
        if [ -e "$tmp/out.h5" ] || [ -e "$tmp/out.h5.partial" ]; then echo "FAIL $(basename "$f"): output written"; fail=1; fi
    done
done
[ $n -ge 20 ] || { echo "FAIL: only $n bad scenarios"; fail=1; }
echo "$n bad scenarios checked"
exit $fail
