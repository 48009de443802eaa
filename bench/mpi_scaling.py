#!/usr/bin/python3
"""Strong and weak scaling of one network across MPI ranks (issue 9), and thread scaling of one
process, on bench/coba_scaled.yaml (COBA cells and synapses, fixed in-degree 64 + 16, Poisson
drive; ~19 Hz at every size).

  bench/mpi_scaling.py [--apical build/apical] [--mpirun mpirun] [--max-ranks 2] [--duration 1]
                       [--strong-cells 32000] [--weak-cells 8000] [--out scaling.jsonl]

For each configuration it runs `mpirun -n K apical run ... --threads T` (no mpirun for K = 1)
with every rank under /usr/bin/time -v, and records: wall time of the whole run (build
included) and of rank 0's run loop, the share of the run loop spent exchanging spikes (phase
3: Allgatherv, merge and sort; it includes waiting for the slowest rank), peak RSS per rank,
synapses and bytes per synapse. One JSON line per run in --out; a Markdown table on stdout.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run(args, apical, mpirun, ranks, threads, cells, duration, tmp):
    exc, inh = int(cells * 0.8), cells - int(cells * 0.8)
    out = os.path.join(tmp, "out.h5")
    timefile = os.path.join(tmp, "time.%q{OMPI_COMM_WORLD_RANK}")
    cmd = [apical, "run", os.path.join(HERE, "coba_scaled.yaml"), "-o", out, "--force", "--threads", str(threads),
           "--set", f"populations.exc.size={exc}", "--set", f"populations.inh.size={inh}",
           "--set", f"simulation.duration={duration} s"]
    for f in os.listdir(tmp):
        if f.startswith("time."):
            os.remove(os.path.join(tmp, f))
    if ranks > 1:
        cmd = [mpirun, "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-n", str(ranks),
               "-x", "LD_LIBRARY_PATH", args.time, "-v", "-o", timefile] + cmd
    else:
        cmd = [args.time, "-v", "-o", timefile.replace("%q{OMPI_COMM_WORLD_RANK}", "0")] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return {"ranks": ranks, "threads": threads, "cells": cells, "error": (p.stdout + p.stderr)[-2000:]}
    m = re.search(r"simulated in ([\d.e+-]+) s, .*?(\d+) synapses, ([\d.]+) bytes per synapse", p.stdout)
    rec = {"ranks": ranks, "threads": threads, "cells": cells, "duration_s": duration,
           "wall_s": float(m.group(1)), "synapses": int(m.group(2)), "bytes_per_synapse": float(m.group(3))}
    m = re.search(r"rank 0: ([\d.e+-]+) s in the run loop, ([\d.e+-]+) s of it exchanging", p.stdout)
    if m:
        rec["loop_s"], rec["exchange_s"] = float(m.group(1)), float(m.group(2))
    else:  # one process: the summary gives the run loop alone
        m = re.search(r"([\d.e+-]+) s in the run loop, ([\d.e+-]+) s setting up", p.stdout)
        if m:
            rec["loop_s"] = float(m.group(1))
    rss = []
    for f in sorted(os.listdir(tmp)):
        if f.startswith("time."):
            t = open(os.path.join(tmp, f)).read()
            mm = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
            if mm:
                rss.append(int(mm.group(1)) / 1024.0)
    rec["rss_mib_per_rank"] = rss
    return rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--apical", default=os.path.join(ROOT, "build", "apical"))
    ap.add_argument("--mpirun", default=shutil.which("mpirun") or "mpirun")
    ap.add_argument("--time", default="/usr/bin/time")
    ap.add_argument("--max-ranks", type=int, default=2)
    ap.add_argument("--duration", type=float, default=1.0)
    ap.add_argument("--strong-cells", type=int, default=32000)
    ap.add_argument("--weak-cells", type=int, default=8000)
    ap.add_argument("--out", default="scaling.jsonl")
    args = ap.parse_args()
    ks = [k for k in (1, 2, 4, 8, 16, 32) if k <= args.max_ranks]
    configs = [("strong", k, 1, args.strong_cells) for k in ks]
    configs += [("weak", k, 1, args.weak_cells * k) for k in ks]
    configs += [("threads", 1, k, args.strong_cells) for k in ks if k > 1]
    rows = []
    with tempfile.TemporaryDirectory() as tmp, open(args.out, "w") as out:
        for kind, ranks, threads, cells in configs:
            rec = run(args, args.apical, args.mpirun, ranks, threads, cells, args.duration, tmp)
            rec["kind"] = kind
            out.write(json.dumps(rec) + "\n")
            out.flush()
            print(json.dumps(rec), file=sys.stderr, flush=True)
            rows.append(rec)
    print("| scaling | ranks x threads | cells | synapses | wall (s, build incl.) | run loop (s) | per simulated s | "
          "exchange share | peak RSS per rank (MiB) | bytes/synapse |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['kind']} | {r['ranks']} x {r['threads']} | {r['cells']} | failed: {r['error'][-200:]!r} |")
            continue
        loop = r.get("loop_s")
        share = f"{100 * r['exchange_s'] / r['loop_s']:.0f} %" if "exchange_s" in r else "-"
        rss = r["rss_mib_per_rank"]
        rss_s = f"{max(rss):.0f}" if len(rss) == 1 else f"{min(rss):.0f}-{max(rss):.0f}" if rss else "?"
        print(f"| {r['kind']} | {r['ranks']} x {r['threads']} | {r['cells']} | {r['synapses']} | {r['wall_s']:.2f} | "
              f"{loop:.2f} | {loop / r['duration_s']:.2f} | {share} | {rss_s} | {r['bytes_per_synapse']:.2f} |"
              if loop else
              f"| {r['kind']} | {r['ranks']} x {r['threads']} | {r['cells']} | {r['synapses']} | {r['wall_s']:.2f} | - | "
              f"{r['wall_s'] / r['duration_s']:.2f} | {share} | {rss_s} | {r['bytes_per_synapse']:.2f} |")


if __name__ == "__main__":
    main()
