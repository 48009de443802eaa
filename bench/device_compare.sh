#!/usr/bin/env bash
# Apical vs Brian2 C++ standalone on a quiet machine that lacks the Debian packages (the lent
# 16-core machine): Apical from .bundle/ (bench/device_bundle.sh), Brian2 from the generated
# projects copied to .b2/ (compiled there with their own makefiles, -O3 -ffast-math
# -march=native). Three interleaved repetitions; whole-process wall time and peak RSS with
# /usr/bin/time. Output: ${OUT:-.}/compare.txt (name, wall s, RSS KiB, one line per run).
# MODELS (default "naud2018 coba cuba") selects the networks, REPS (default 3) the repetitions.
set -u
MODELS=${MODELS:-naud2018 coba cuba}
B2_MODELS=$MODELS
. "$(dirname "$0")/device_env.sh"
R=$OUT/compare.txt
: >"$R"
has() { case " $MODELS " in *" $1 "*) return 0;; esac; return 1; }
run() { local name=$1; shift; "$T" -f "$name %e %M" -a -o "$R" "$@" >/dev/null 2>>"$OUT/errors.txt" || echo "$name FAILED" >>"$R"; }
b2() { local name=$1 dir=$2; (cd "$dir" && "$T" -f "$name %e %M" -a -o "$R" ./main >/dev/null 2>>"$OUT/errors.txt" || echo "$name FAILED" >>"$R"); }
D="--set simulation.duration=10s"
for rep in $(seq "${REPS:-3}"); do
  if has naud2018; then
  run apical_naud2018_t1 "$A" run bench/naud2018_noise.yaml -o /tmp/n.h5 --force --quiet --threads 1
  run apical_naud2018_t2 "$A" run bench/naud2018_noise.yaml -o /tmp/n.h5 --force --quiet --threads 2
  b2 brian2_naud2018 .b2/naud2018_project
  fi
  if has coba; then
  run apical_coba_exact_t1 "$A" run scenarios/coba.yaml -o /tmp/c.h5 --force --quiet $D --threads 1 --seed 1 --set simulation.event_times=exact
  run apical_coba_exact_t2 "$A" run scenarios/coba.yaml -o /tmp/c.h5 --force --quiet $D --threads 2 --seed 1 --set simulation.event_times=exact
  run apical_coba_grid_t1 "$A" run scenarios/coba.yaml -o /tmp/c.h5 --force --quiet $D --threads 1 --seed 13 --set simulation.event_times=grid
  run apical_coba_grid_t2 "$A" run scenarios/coba.yaml -o /tmp/c.h5 --force --quiet $D --threads 2 --seed 13 --set simulation.event_times=grid
  b2 brian2_coba .b2/coba_project
  fi
  if has cuba; then
  run apical_cuba_exact_t1 "$A" run scenarios/cuba.yaml -o /tmp/u.h5 --force --quiet $D --threads 1 --seed 1 --set simulation.event_times=exact
  run apical_cuba_exact_t2 "$A" run scenarios/cuba.yaml -o /tmp/u.h5 --force --quiet $D --threads 2 --seed 1 --set simulation.event_times=exact
  run apical_cuba_grid_t1 "$A" run scenarios/cuba.yaml -o /tmp/u.h5 --force --quiet $D --threads 1 --seed 1 --set simulation.event_times=grid
  run apical_cuba_grid_t2 "$A" run scenarios/cuba.yaml -o /tmp/u.h5 --force --quiet $D --threads 2 --seed 1 --set simulation.event_times=grid
  b2 brian2_cuba .b2/cuba_project
  fi
done
cat "$R"; cat "$OUT/errors.txt" 2>/dev/null | tail -5
