#!/usr/bin/env bash
# Runs bench/mpi_scaling.py on a machine that lacks Apical's Debian packages, from the bundle
# made here by bench/device_bundle.sh (copied along as .bundle/). Run as root from the
# repository root there; results go to ${OUT:-.}/scaling.jsonl and scaling.md.
set -euo pipefail
OUT=${OUT:-.}
cp -a .bundle/root/. /                     # OpenMPI's launcher, plugins and help files
export LD_LIBRARY_PATH=$PWD/.bundle/lib
export OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1 OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
nproc
/usr/bin/orterun --allow-run-as-root -n 2 .bundle/apical run scenarios/coba.yaml -o /tmp/c.h5 \
    --set simulation.duration=100ms --threads 1
PYTHONUNBUFFERED=1 python3 bench/mpi_scaling.py --apical .bundle/apical --mpirun /usr/bin/orterun \
    --time .bundle/bin/time --max-ranks 16 --strong-cells 64000 --weak-cells 8000 --duration 1 \
    --out "$OUT/scaling.jsonl" > "$OUT/scaling.md"
cat "$OUT/scaling.md"
