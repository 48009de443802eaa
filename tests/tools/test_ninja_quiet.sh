#!/usr/bin/env bash
# tools/ninja_quiet.sh (used by tools/setup.sh, sanitize_build.sh and tsan.sh): a build that
# works prints one line and exits 0; a build that fails exits non-zero and shows the compiler's
# message (a plain `ninja | tail -1` showed only "build stopped", which hid a clang-only error
# from CI once).
set -u
src=${1:?usage: test_ninja_quiet.sh SOURCE_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
printf 'rule cc\n  command = c++ -c $in -o $out\nbuild x.o: cc x.cpp\n' >"$tmp/build.ninja"
echo 'int main() { return 0; }' >"$tmp/x.cpp"
out=$(bash "$src/tools/ninja_quiet.sh" -C "$tmp" 2>&1); rc=$?
[ $rc -eq 0 ] || { echo "FAIL: a working build exited $rc: $out"; fail=1; }
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || { echo "FAIL: a working build printed more than one line: $out"; fail=1; }
echo 'int main() { return undeclared_name_xyz; }' >"$tmp/x.cpp"
out=$(bash "$src/tools/ninja_quiet.sh" -C "$tmp" 2>&1); rc=$?
[ $rc -ne 0 ] || { echo "FAIL: a failing build exited 0"; fail=1; }
printf '%s\n' "$out" | grep -q 'undeclared_name_xyz' || { echo "FAIL: the compiler's message is not shown: $out"; fail=1; }
printf '%s\n' "$out" | grep -q '^FAILED: x.o' || { echo "FAIL: ninja's FAILED line is not shown: $out"; fail=1; }
[ $fail -eq 0 ] && echo "ninja_quiet: one line on success, the compiler's message on failure"
exit $fail
