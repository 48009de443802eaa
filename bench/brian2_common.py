"""Shared code for the Brian2 peer of the Brette et al. 2007 benchmarks 1 (COBA) and 2 (CUBA),
also used by bench/brian2_naud2018.py (which passes its own populations and asks for burst
statistics; its variant is described there and in bench/README.md).

Benchmark variant (identical in bench/brian2_coba.py, bench/brian2_cuba.py, scenarios/coba.yaml,
scenarios/cuba.yaml and bench/README.md):
  Brette et al. 2007 (J Comput Neurosci 23:349, Appendix 2; after Vogels & Abbott 2005),
  benchmarks 1 (COBA) and 2 (CUBA). 4000 LIF cells (3200 exc, 800 inh); connection probability
  0.02 by an independent Bernoulli draw per (source, target) pair, autapses allowed, no
  multapses. C = 200 pF, gL = 10 nS, EL = -60 mV (CUBA: -49 mV), threshold -50 mV,
  reset -60 mV, refractory 5 ms (V clamped at reset), dt = 0.1 ms, delay 1 ms on every synapse.
  Exponential synapses: COBA conductance jumps +6 nS (tau 5 ms, E 0 mV) / +67 nS (tau 10 ms,
  E -80 mV); CUBA current jumps +16.2 pA / -90 pA (tau 5 / 10 ms). Initial V uniform in
  [-60, -50] mV; COBA initial g_exc ~ normal(40 nS, 15 nS), g_inh ~ normal(200 nS, 120 nS),
  both clipped at 0 from below (Brian2's COBAHH example initialisation, clipped); CUBA initial
  synaptic currents 0. No external input. 10 s of biological time, 1 thread.
  Brian2 integration: CUBA method='exact' (linear); COBA method='exponential_euler' (what
  Brian2 picks by itself for these conditionally linear equations, and what its COBAHH example
  names explicitly).

Two modes:
  build (default): generate, compile and run the C++ standalone project in OUT_DIR/<model>_project
      once (build_on_run=True), then write OUT_DIR/<model>_manifest.json naming the result files
      of the spike monitor and the synapse index arrays, and print the JSON summary line.
  --analyze-only: do not import Brian2's device machinery; read the manifest and the result
      files of the most recent run of the compiled binary (OUT_DIR/<model>_project/main, run with
      that folder as working directory) and print the JSON summary line. This is how the
      harness times only the C++ process (code generation and compilation excluded).

Statistics (bench/spike_stats.py, shared with the Apical side of the harness):
mean_rate_hz = spikes / (cells * duration); cv_isi = mean over cells with >= 3 spikes of
std(ISI) / mean(ISI) (population std, ddof = 0); late_rate_hz = rate over the last 10 % of the
run (COBA activity can die out early for some seeds; the harness checks this).
"""

import argparse
import json
import os
import sys
import time

import numpy as np

from spike_stats import spike_stats, late_rate, burst_stats

N_EXC = 3200
N_INH = 800
N_CELLS = N_EXC + N_INH
# (name, first index, end index) of the populations inside the one monitored group;
# a model script may pass its own to main() (bench/brian2_naud2018.py: one population "pyr").
POPULATIONS = (("exc", 0, N_EXC), ("inh", N_EXC, N_CELLS))


def parse_args(model):
    ap = argparse.ArgumentParser(
        description=f"Brian2 C++ standalone peer of the {model} benchmark (bench/README.md)")
    ap.add_argument("--duration", type=float, default=10.0, help="biological time in s (default 10)")
    ap.add_argument("--seed", type=int, default=1, help="Brian2 random seed (default 1)")
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"),
                    help="folder for the standalone project and manifest (default bench/out)")
    ap.add_argument("--threads", type=int, default=1,
                    help="OpenMP threads; 1 (default) builds without OpenMP")
    ap.add_argument("--analyze-only", action="store_true",
                    help="only read the results of the last run of the compiled binary")
    return ap.parse_args()


def summary(model, i, t, synapses, duration_s, wall_run_s, populations=POPULATIONS, bursts=False):
    n_cells = max(hi for _, _, hi in populations)
    spikes, rate, cv, ncv = spike_stats(i, t, n_cells, duration_s)
    i = np.asarray(i)
    pops = {}
    for name, lo, hi in populations:
        sel = (i >= lo) & (i < hi)
        s, r, c, n = spike_stats(i[sel] - lo, np.asarray(t)[sel], hi - lo, duration_s)
        pops[name] = {"cells": hi - lo, "spikes": s, "mean_rate_hz": r, "cv_isi": c, "cells_with_cv": n}
    out = {
        "peer": "brian2",
        "model": model,
        "cells": n_cells,
        "synapses": int(synapses),
        "spikes": spikes,
        "mean_rate_hz": rate,
        "cv_isi": cv,
        "cells_with_cv": ncv,
        "late_rate_hz": late_rate(t, n_cells, duration_s),
        "sim_seconds": duration_s,
        "wall_run_seconds": wall_run_s,
        "populations": pops,
    }
    if bursts:
        out["bursts"] = burst_stats(i, t, n_cells, duration_s)
    return out


def _clean(obj):
    """JSON has no NaN: write null instead."""
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    return obj


def emit(result):
    print(json.dumps(_clean(result)), flush=True)


def read_last_run_time(project_dir):
    """Brian2 standalone writes 'run_time completed_fraction' to results/last_run_info.txt."""
    try:
        with open(os.path.join(project_dir, "results", "last_run_info.txt")) as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def analyze_only(model, out_dir):
    man_path = os.path.join(out_dir, f"{model}_manifest.json")
    with open(man_path) as f:
        man = json.load(f)
    res = man["project_dir"]  # file names are relative to it ("results/...")
    i = np.fromfile(os.path.join(res, man["spike_i"]["file"]), dtype=man["spike_i"]["dtype"])
    t = np.fromfile(os.path.join(res, man["spike_t"]["file"]), dtype=man["spike_t"]["dtype"])
    if i.size != t.size:
        sys.exit(f"{model}: spike index/time arrays differ in length ({i.size} vs {t.size}) in {res}")
    synapses = 0
    for entry in man["synapse_pre"]:
        synapses += os.path.getsize(os.path.join(res, entry["file"])) // np.dtype(entry["dtype"]).itemsize
    pops = [tuple(p) for p in man.get("populations", POPULATIONS)]
    result = summary(model, i, t, synapses, man["duration_s"], read_last_run_time(man["project_dir"]),
                     pops, man.get("bursts", False))
    result["seed"] = man["seed"]
    result["threads"] = man["threads"]
    emit(result)


def build_and_run(model, args, make_network, populations=POPULATIONS, bursts=False):
    """make_network(b2) builds the network and returns (network, spike_monitor,
    [synapses objects]): an explicit Network, since Brian2's magic network only collects
    objects created in the frame that calls run(). Runs it in C++ standalone mode."""
    import brian2 as b2

    out_dir = os.path.abspath(args.out_dir)
    project_dir = os.path.join(out_dir, f"{model}_project")
    os.makedirs(out_dir, exist_ok=True)
    b2.set_device("cpp_standalone", directory=project_dir, build_on_run=True)
    # 0 means "no OpenMP" in Brian2: a plain single-threaded binary.
    b2.prefs.devices.cpp_standalone.openmp_threads = 0 if args.threads <= 1 else args.threads
    b2.prefs.core.default_float_dtype = np.float64
    b2.defaultclock.dt = 0.1 * b2.ms
    b2.seed(args.seed)

    net, mon, synapses = make_network(b2)
    t0 = time.perf_counter()
    net.run(args.duration * b2.second)
    build_and_run_s = time.perf_counter() - t0

    i = np.asarray(mon.i[:])
    t = np.asarray(mon.t[:] / b2.second)
    n_syn = sum(len(s) for s in synapses)

    dev = b2.get_device()

    def entry(var):
        return {"file": dev.get_array_filename(var), "dtype": np.dtype(var.dtype).str}

    manifest = {
        "model": model,
        "brian2_version": b2.__version__,
        "project_dir": project_dir,
        "binary": os.path.join(project_dir, "main"),
        "duration_s": args.duration,
        "seed": args.seed,
        "threads": args.threads,
        "spike_i": entry(mon.variables["i"]),
        "spike_t": entry(mon.variables["t"]),
        "synapse_pre": [entry(s.variables["_synaptic_pre"]) for s in synapses],
        "populations": [list(p) for p in populations],
        "bursts": bursts,
        "build_and_run_seconds": build_and_run_s,
        "compiler_flags": list(b2.prefs.codegen.cpp.extra_compile_args_gcc),
        "source_hash": source_hash(model),
    }
    with open(os.path.join(out_dir, f"{model}_manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)

    result = summary(model, i, t, n_syn, args.duration, read_last_run_time(project_dir), populations, bursts)
    result["seed"] = args.seed
    result["threads"] = args.threads
    result["build_and_run_seconds"] = build_and_run_s
    result["brian2_version"] = b2.__version__
    emit(result)


def source_hash(model):
    """Hash of the scripts that define the network: the harness rebuilds when it changes."""
    import hashlib
    here = os.path.dirname(os.path.abspath(__file__))
    h = hashlib.sha256()
    for name in ("brian2_common.py", "spike_stats.py", f"brian2_{model}.py"):
        with open(os.path.join(here, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def main(model, make_network, populations=POPULATIONS, bursts=False):
    args = parse_args(model)
    if args.analyze_only:
        analyze_only(model, os.path.abspath(args.out_dir))
    else:
        build_and_run(model, args, make_network, populations, bursts)
