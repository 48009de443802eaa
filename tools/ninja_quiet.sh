#!/usr/bin/env bash
# ninja with its output kept short: on success only its last line; on failure what failed
# (ninja's "FAILED:" lines and the compiler's messages after them, at most 80 lines), which a
# plain `ninja ... | tail -1` would hide.
#   tools/ninja_quiet.sh -C BUILD_DIR [ninja arguments...]
set -uo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ninja "$@" >"$log" 2>&1; then
    tail -1 "$log"
    exit 0
else
    rc=$?
    echo "ninja $*: failed (exit $rc); what failed:" >&2
    if grep -q '^FAILED:' "$log"; then sed -n '/^FAILED:/,$p' "$log" | head -80 >&2; else tail -40 "$log" >&2; fi
    exit "$rc"
fi
