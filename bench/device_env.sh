# Sourced by bench/device_compare.sh and bench/device_threads.sh (run on the lent machine, from
# the repository root, with .bundle/ and .b2/ copied along): the bundled Apical and
# /usr/bin/time, the machine's description, and the Brian2 projects of $B2_MODELS compiled by
# their own makefiles. Sets OUT (default .), A (apical), T (time).
OUT=${OUT:-.}
export LD_LIBRARY_PATH=$PWD/.bundle/lib
T=$PWD/.bundle/bin/time
A=$PWD/.bundle/apical
{ nproc; lscpu | grep -E "Model name|^CPU\(s\)|Thread\(s\)|Socket|NUMA node\(s\)" || true; } | tee "$OUT/machine.txt"
for m in ${B2_MODELS:-}; do
  [ -d ".b2/${m}_project" ] || { echo "no .b2/${m}_project"; continue; }
  (cd ".b2/${m}_project" && mkdir -p results && make -s -j"$(nproc)" >/dev/null 2>&1) || echo "make failed in .b2/${m}_project"
done
