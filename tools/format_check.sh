#!/usr/bin/env bash
# Checks C++ formatting against .clang-format (clang-format 14, Debian 12's).
#   tools/format_check.sh                 every tracked .cpp/.hpp file
#   tools/format_check.sh FILE...         only these files (e.g. the ones a change touches:
#                                         tools/format_check.sh $(git diff --name-only main -- '*.cpp' '*.hpp'))
#   tools/format_check.sh --fix [FILE...] reformat in place instead of checking
# Exit status 1 and a diff for each file that is not formatted.
set -euo pipefail
cd "$(dirname "$0")/.."
CF=${CLANG_FORMAT:-clang-format}
fix=0
if [ "${1:-}" = "--fix" ]; then fix=1; shift; fi
if [ $# -eq 0 ]; then
    mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
else
    files=()
    for f in "$@"; do case "$f" in *.cpp|*.hpp|*.h|*.cc) [ -f "$f" ] && files+=("$f") ;; esac; done
fi
[ ${#files[@]} -gt 0 ] || { echo "no C++ files to check"; exit 0; }
if [ $fix -eq 1 ]; then
    "$CF" -i --style=file "${files[@]}"
    echo "reformatted ${#files[@]} files"
    exit 0
fi
bad=0
for f in "${files[@]}"; do
    if ! "$CF" --style=file "$f" | diff -u --label "$f" --label "$f (clang-format)" "$f" - >/tmp/format_check.$$ ; then
        cat /tmp/format_check.$$
        bad=$((bad + 1))
    fi
done
rm -f /tmp/format_check.$$
if [ $bad -gt 0 ]; then
    echo "$bad of ${#files[@]} files are not formatted; fix with: tools/format_check.sh --fix FILE..."
    exit 1
fi
echo "${#files[@]} files formatted"
