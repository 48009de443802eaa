#!/usr/bin/python3
"""Runs the Brette et al. 2007 COBA/CUBA benchmarks side by side (Apical and Brian2 C++ standalone)
and writes a Markdown report. Called by bench/run_bench.sh, which builds Apical first; see
bench/README.md for the benchmark variant.

What is timed: the whole process, from outside, with /usr/bin/time -v (elapsed wall-clock time and
peak resident set size):
  apical   build/apical run scenarios/<model>.yaml -o OUT.h5 --force --quiet
                 --set "simulation.duration=<D> s" --threads <T> --seed <S>
  brian2   <project>/main, run in its project folder: the C++ standalone binary that Brian2
           generated and compiled beforehand (code generation and compilation are not timed;
           their duration is reported separately). The binary reads nothing from Python: the
           network, the seed and the duration are compiled in; it writes its results/ folder.
Both include network construction, the simulation and writing the recorded spikes.
Repetitions are interleaved (apical 1 thread, apical 2 threads, brian2, then again) so that
machine noise hits all of them alike; the report gives the median.

COBA activity in this variant is self-sustained only for some seeds (for some it dies out in the
first ~100 ms, which changes the cost of the run entirely); a run whose rate over the last 10 % of
the simulated time is below --alive-hz counts as died out. The first seed from --seed upwards (at most
--seed-tries seeds) whose activity survives is the one timed, separately for each peer.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from spike_stats import spike_stats, late_rate, burst_stats  # noqa: E402

MODELS = ("coba", "cuba", "naud2018")
# Apical scenario per model: the Brette et al. benchmarks live in scenarios/, the bench-only
# naud2018 variant (issue 3) in bench/.
SCENARIOS = {"coba": os.path.join(ROOT, "scenarios", "coba.yaml"),
             "cuba": os.path.join(ROOT, "scenarios", "cuba.yaml"),
             "naud2018": os.path.join(HERE, "naud2018_noise.yaml")}
TIME = "/usr/bin/time"


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def timed(cmd, cwd, time_file, log_file):
    """Run cmd under /usr/bin/time -v. Returns dict(rc, wall_s, rss_mb, cmd)."""
    with open(log_file, "w") as lf:
        lf.write("$ " + " ".join(shlex.quote(c) for c in cmd) + f"   (in {cwd})\n")
        lf.flush()
        p = subprocess.run([TIME, "-v", "-o", time_file] + cmd, cwd=cwd, stdout=lf, stderr=lf)
    out = {"rc": p.returncode, "wall_s": None, "rss_mb": None, "cpu_s": None}
    try:
        txt = open(time_file).read()
    except OSError:
        return out
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", txt)
    if m:
        secs = 0.0
        for part in m.group(1).split(":"):
            secs = secs * 60 + float(part)
        out["wall_s"] = secs
    mu = re.search(r"User time \(seconds\): ([\d.]+)", txt)
    ms = re.search(r"System time \(seconds\): ([\d.]+)", txt)
    if mu and ms:
        out["cpu_s"] = float(mu.group(1)) + float(ms.group(1))
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", txt)
    if m:
        out["rss_mb"] = int(m.group(1)) / 1024.0
    m = re.search(r"Exit status: (\d+)", txt)
    if m:
        out["rc"] = int(m.group(1))
    return out


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# ----------------------------------------------------------------------------------- Brian2

def brian2_source_hash(model):
    sys.path.insert(0, HERE)
    import brian2_common  # only hashlib/numpy at import; Brian2 itself is imported lazily
    return brian2_common.source_hash(model)


def brian2_build(model, duration, seed, out_dir, python, rebuild):
    """Build (generate, compile, run once) the standalone project unless an identical one exists.
    Returns (manifest or None, message)."""
    os.makedirs(out_dir, exist_ok=True)
    man_path = os.path.join(out_dir, f"{model}_manifest.json")
    want_hash = brian2_source_hash(model)
    if not rebuild and os.path.exists(man_path):
        try:
            man = json.load(open(man_path))
            if (man.get("duration_s") == duration and man.get("seed") == seed
                    and man.get("threads") == 1 and man.get("source_hash") == want_hash
                    and os.access(man.get("binary", ""), os.X_OK)):
                log(f"brian2 {model}: reusing the standalone build in {man['project_dir']}")
                return man, "reused"
        except (OSError, ValueError):
            pass
    log_file = os.path.join(out_dir, f"{model}_build.log")
    cmd = [python, os.path.join(HERE, f"brian2_{model}.py"), "--duration", repr(duration),
           "--seed", str(seed), "--threads", "1", "--out-dir", out_dir]
    log(f"brian2 {model}: generating and compiling the standalone project (seed {seed}) ...")
    t0 = time.perf_counter()
    with open(log_file, "w") as lf:
        p = subprocess.run(cmd, stdout=lf, stderr=lf, cwd=HERE)
    dt = time.perf_counter() - t0
    if p.returncode != 0 or not os.path.exists(man_path):
        return None, f"Brian2 build failed (exit {p.returncode}); see {log_file}:\n{tail(log_file)}"
    man = json.load(open(man_path))
    man["build_wall_seconds"] = dt
    json.dump(man, open(man_path, "w"), indent=1)
    return man, "built"


def brian2_analyze(model, out_dir, python):
    p = sh([python, os.path.join(HERE, f"brian2_{model}.py"), "--analyze-only", "--out-dir", out_dir])
    if p.returncode != 0:
        return None, p.stderr[-2000:]
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line), ""
    return None, "no JSON line in the output"


# ----------------------------------------------------------------------------------- Apical

def _collect_pop_dicts(obj, path=()):
    """Yield (name, dict) for every nested dict that looks like a per-population summary."""
    if isinstance(obj, dict):
        if "spikes" in obj and ("cells" in obj or "size" in obj) and not isinstance(obj["spikes"], (dict, list)):
            yield (path[-1] if path else "?"), obj
            return
        for k, v in obj.items():
            yield from _collect_pop_dicts(v, path + (str(k),))
    elif isinstance(obj, list):
        for k, v in enumerate(obj):
            name = v.get("name", str(k)) if isinstance(v, dict) else str(k)
            yield from _collect_pop_dicts(v, path + (name,))


def apical_inspect_stats(apical, h5):
    """Tolerant reader of `apical inspect OUT.h5 --json`: per-population objects with keys
    cells, spikes, mean_rate_hz, cv_isi (wherever they sit in the document)."""
    p = sh([apical, "inspect", h5, "--json"])
    if p.returncode != 0:
        return None, f"apical inspect failed (exit {p.returncode}): {p.stderr.strip()[-500:]}"
    txt = p.stdout.strip()
    try:
        doc = json.loads(txt)
    except ValueError:
        # maybe log lines around it: take the outermost {...}
        a, b = txt.find("{"), txt.rfind("}")
        try:
            doc = json.loads(txt[a:b + 1])
        except ValueError:
            return None, "apical inspect --json printed no JSON"
    root = doc
    if isinstance(doc, dict) and isinstance(doc.get("populations"), (dict, list)):
        root = doc["populations"]
    pops = dict(_collect_pop_dicts(root))
    if not pops:
        return None, "apical inspect --json: no per-population objects with cells and spikes"
    cells = sum(int(d.get("cells", d.get("size", 0)) or 0) for d in pops.values())
    spikes = sum(int(d.get("spikes", 0) or 0) for d in pops.values())
    cv_num = cv_den = 0.0
    for d in pops.values():
        cv = d.get("cv_isi")
        if isinstance(cv, (int, float)) and cv == cv:
            w = d.get("cells_with_cv", d.get("cells", d.get("size", 1))) or 1
            cv_num += cv * w
            cv_den += w
    rate = None
    rates = [(d.get("mean_rate_hz"), d.get("cells", d.get("size", 0)) or 0) for d in pops.values()]
    if cells and all(isinstance(r, (int, float)) for r, _ in rates):
        rate = sum(r * n for r, n in rates) / cells
    elif cells and isinstance(doc, dict):
        for key in ("t_stop", "t_reached", "duration_ms"):
            if isinstance(doc.get(key), (int, float)) and doc[key] > 0:
                rate = spikes / (cells * doc[key] / 1000.0)
                break
    return {
        "source": "apical inspect --json",
        "cells": cells, "spikes": spikes, "mean_rate_hz": rate,
        "cv_isi": cv_num / cv_den if cv_den else None,
        "populations": {k: {kk: d.get(kk) for kk in ("cells", "spikes", "mean_rate_hz", "cv_isi")}
                        for k, d in pops.items()},
    }, ""


def apical_h5_stats(h5, duration_s, sizes):
    """Same statistics as for Brian2, computed from /spikes/<pop>/{node_ids,timestamps}."""
    try:
        import h5py
        import numpy as np
    except ImportError as e:
        return None, f"h5py unavailable ({e})"
    try:
        with h5py.File(h5, "r") as f:
            if "spikes" not in f:
                return None, f"{h5}: no /spikes group"
            import hashlib
            digest = hashlib.sha256()
            ii, tt, pops, offset = [], [], {}, 0
            for pop, n in sizes.items():
                if pop not in f["spikes"]:
                    return None, f"{h5}: no /spikes/{pop}"
                g = f["spikes"][pop]
                ids = np.asarray(g["node_ids"][:], dtype=np.int64)
                ts = np.asarray(g["timestamps"][:], dtype=np.float64)
                unit = g["timestamps"].attrs.get("units", "ms")
                unit = unit.decode() if isinstance(unit, bytes) else str(unit)
                ts = ts / 1000.0 if unit.strip() == "ms" else ts
                order = np.lexsort((ids, ts))  # by (time, id): independent of the writer's sorting
                digest.update(pop.encode())
                digest.update(np.ascontiguousarray(ts[order]).tobytes())
                digest.update(np.ascontiguousarray(ids[order]).tobytes())
                s, r, c, nc = spike_stats(ids, ts, n, duration_s)
                pops[pop] = {"cells": n, "spikes": s, "mean_rate_hz": r, "cv_isi": c, "cells_with_cv": nc}
                ii.append(ids + offset)
                tt.append(ts)
                offset += n
            i, t = np.concatenate(ii), np.concatenate(tt)
            wall_inner = None
            if "apical" in f and "wall_seconds" in f["apical"].attrs:
                wall_inner = float(f["apical"].attrs["wall_seconds"])
            completed = None
            if "apical" in f and "completed" in f["apical"].attrs:
                completed = int(f["apical"].attrs["completed"])
    except Exception as e:  # noqa: BLE001 - any reading problem is reported, not fatal
        return None, f"reading {h5}: {e}"
    s, r, c, nc = spike_stats(i, t, offset, duration_s)
    return {
        "source": "HDF5 spikes (bench/spike_stats.py)",
        "cells": offset, "spikes": s, "mean_rate_hz": r, "cv_isi": c, "cells_with_cv": nc,
        "late_rate_hz": late_rate(t, offset, duration_s), "populations": pops,
        "bursts": burst_stats(i, t, offset, duration_s),
        "wall_inner_s": wall_inner, "completed": completed,
        "spike_digest": digest.hexdigest()[:16],
    }, ""


def scenario_sizes(model):
    try:
        import yaml
        doc = yaml.safe_load(open(SCENARIOS[model]))
        return {k: int(v["size"]) for k, v in doc["populations"].items()}
    except Exception:  # noqa: BLE001
        return {"exc": 3200, "inh": 800}


EVENT_TIMES = "exact"  # set from --event-times


def apical_cmd(apical, model, h5, duration, threads, seed):
    return [apical, "run", SCENARIOS[model], "-o", h5, "--force",
            "--quiet", "--set", f"simulation.duration={duration:g} s", "--threads", str(threads),
            "--seed", str(seed), "--set", f"simulation.event_times={EVENT_TIMES}"]


def apical_stats(apical, h5, model, duration):
    stats, err = apical_h5_stats(h5, duration, scenario_sizes(model))
    insp, err2 = apical_inspect_stats(apical, h5)
    if stats is None and insp is None:
        return None, f"{err}; {err2}"
    if stats is None:
        stats = insp
        stats["late_rate_hz"] = None
    stats["inspect"] = insp if insp else {"error": err2}
    return stats, ""


# ----------------------------------------------------------------------------------- main

def alive(stats, alive_hz):
    if not stats:
        return False
    lr = stats.get("late_rate_hz")
    if lr is None:
        lr = stats.get("mean_rate_hz")
    return lr is not None and lr >= alive_hz


def run_model(model, a, apical_ok, apical_note):
    res = {"model": model, "apical": {}, "brian2": {}, "notes": []}
    out = os.path.join(a.out_dir, model)
    os.makedirs(out, exist_ok=True)
    D = a.duration

    # --- choose seeds (first one whose activity survives), one per peer
    b2_man, b2_seed, b2_stats = None, None, None
    for seed in range(a.seed, a.seed + a.seed_tries):
        man, msg = brian2_build(model, D, seed, os.path.join(out, f"brian2_seed{seed}"), a.python,
                                a.rebuild_brian2)
        if man is None:
            res["notes"].append(msg)
            break
        st, err = brian2_analyze(model, os.path.join(out, f"brian2_seed{seed}"), a.python)
        if st is None:
            res["notes"].append(f"Brian2 {model} result analysis failed: {err}")
            break
        if alive(st, a.alive_hz):
            b2_man, b2_seed, b2_stats = man, seed, st
            break
        res["notes"].append(f"Brian2 {model} seed {seed}: activity died out (rate over the last 10 % "
                            f"{st.get('late_rate_hz'):.3g} Hz); trying the next seed.")
    res["brian2"]["seed"] = b2_seed
    if b2_man:
        res["brian2"]["codegen_compile_s"] = b2_man.get("build_wall_seconds")
        res["brian2"]["compiler_flags"] = b2_man.get("compiler_flags")
        res["brian2"]["version"] = b2_man.get("brian2_version")
        res["brian2"]["binary"] = b2_man.get("binary")

    ap_seed = None
    if apical_ok:
        for seed in range(a.seed, a.seed + a.seed_tries):
            h5 = os.path.join(out, f"apical_probe_seed{seed}.h5")
            r = timed(apical_cmd(a.apical, model, h5, D, 1, seed), ROOT, h5 + ".time",
                      h5 + ".log")
            if r["rc"] != 0:
                res["notes"].append(f"Apical {model} failed (exit {r['rc']}); see {h5}.log:\n"
                                    f"{tail(h5 + '.log')}")
                break
            st, err = apical_stats(a.apical, h5, model, D)
            if st is None:
                res["notes"].append(f"Apical {model}: could not read the results: {err}")
                break
            if alive(st, a.alive_hz):
                ap_seed = seed
                break
            res["notes"].append(f"Apical {model} seed {seed}: activity died out (rate over the last "
                                f"10 % {st.get('late_rate_hz')} Hz); trying the next seed.")
    else:
        res["notes"].append(f"Apical not measured: {apical_note}")
    res["apical"]["seed"] = ap_seed

    # --- timed repetitions, interleaved
    runs = {"apical_1": [], "apical_2": [], "brian2": []}
    ap_stats = {}
    for rep in range(a.reps):
        log(f"{model}: repetition {rep + 1}/{a.reps}")
        if ap_seed is not None:
            for th in (1, 2):
                h5 = os.path.join(out, f"apical_t{th}.h5")
                r = timed(apical_cmd(a.apical, model, h5, D, th, ap_seed), ROOT,
                          h5 + f".time{rep}", h5 + f".log{rep}")
                runs[f"apical_{th}"].append(r)
                if r["rc"] != 0:
                    res["notes"].append(f"Apical {model} --threads {th} rep {rep + 1} failed "
                                        f"(exit {r['rc']}): {tail(h5 + f'.log{rep}', 5)}")
                elif rep == a.reps - 1:
                    st, err = apical_stats(a.apical, h5, model, D)
                    ap_stats[th] = st if st else {"error": err}
        if b2_man:
            proj = b2_man["project_dir"]
            r = timed(["./main"], proj, os.path.join(proj, f"time{rep}.txt"),
                      os.path.join(proj, f"main{rep}.log"))
            runs["brian2"].append(r)
            if r["rc"] != 0:
                res["notes"].append(f"Brian2 {model} binary failed (exit {r['rc']}).")
    if b2_man and runs["brian2"] and runs["brian2"][-1]["rc"] == 0:
        st, err = brian2_analyze(model, os.path.dirname(b2_man["project_dir"]), a.python)
        b2_stats = st if st else b2_stats
        if not st:
            res["notes"].append(f"Brian2 {model}: analysis after the timed runs failed: {err}")

    def summarize(rs):
        ok = [r for r in rs if r["rc"] == 0]
        walls = [r["wall_s"] for r in ok if r["wall_s"] is not None]
        return {"reps": len(rs), "ok": len(ok), "wall_s": median(walls),
                "wall_min_s": min(walls) if walls else None,
                "wall_all_s": [r["wall_s"] for r in rs], "rss_mb": median([r["rss_mb"] for r in ok]),
                "rss_max_mb": max((r["rss_mb"] for r in ok if r["rss_mb"] is not None), default=None),
                "cpu_min_s": min((r["cpu_s"] for r in ok if r.get("cpu_s") is not None), default=None),
                "cpu_all_s": [r.get("cpu_s") for r in rs]}

    res["apical"]["t1"] = summarize(runs["apical_1"])
    res["apical"]["t2"] = summarize(runs["apical_2"])
    res["apical"]["stats"] = ap_stats.get(1)
    res["apical"]["stats_t2"] = ap_stats.get(2)
    s1, s2 = ap_stats.get(1) or {}, ap_stats.get(2) or {}
    if s1.get("spike_digest") and s2.get("spike_digest"):
        res["apical"]["threads_agree"] = ("identical spikes (time, id)" if s1["spike_digest"] == s2["spike_digest"]
                                          else "spikes DIFFER between 1 and 2 threads")
    elif "spikes" in s1 and "spikes" in s2:
        res["apical"]["threads_agree"] = ("equal spike counts" if s1["spikes"] == s2["spikes"]
                                          else "spike counts DIFFER between 1 and 2 threads")
    res["brian2"]["t1"] = summarize(runs["brian2"])
    res["brian2"]["stats"] = b2_stats
    return res


def fmt(x, spec=".3g", none="n/a"):
    if x is None:
        return none
    try:
        return format(x, spec)
    except (TypeError, ValueError):
        return str(x)


def machine_info():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    load = None
    try:
        load = open("/proc/loadavg").read().split()[:3]
    except OSError:
        pass
    gxx = sh(["g++", "--version"]).stdout.splitlines()[:1] if shutil_which("g++") else []
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_gib": mem, "loadavg_start": load,
            "kernel": platform.release(), "gxx": gxx[0] if gxx else "n/a"}


def shutil_which(x):
    import shutil
    return shutil.which(x)


def apical_version(apical):
    if not apical or not os.access(apical, os.X_OK):
        return "n/a"
    for args in (["--version"], ["version"]):
        p = sh([apical] + args)
        if p.returncode == 0 and p.stdout.strip():
            return p.stdout.strip().splitlines()[0]
    return "unknown (no --version)"


def git_commit():
    p = sh(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    c = p.stdout.strip() if p.returncode == 0 else "unknown"
    d = sh(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"])
    return c + (" (with uncommitted changes)" if d.stdout.strip() else "")


def write_report(results, a, info, path):
    L = []
    L.append(f"# Benchmarks: Apical (event_times: {EVENT_TIMES}) vs Brian2 (Brette et al. 2007 COBA and CUBA)\n")
    if a.quick:
        L.append("**Quick smoke run (`--quick`): 1 s of biological time, 1 repetition. "
                 "Not a measurement.**\n")
    if not info.get("apical_measured", True):
        L.append(f"**Apical was not measured: {info['apical_note']}. Only the Brian2 numbers below "
                 "are real.**\n")
    cmdline = ("bench/run_bench.sh " + a.command_line).strip()
    L.append(f"Generated by `{cmdline}` on {info['date']}.\n")
    L.append("## Machine and versions\n")
    L.append(f"- CPU: {info['cpu']}; `nproc` = {info['nproc']}; memory {fmt(info['mem_gib'], '.1f')} GiB; "
             f"kernel {info['kernel']}; load average at start {' '.join(info['loadavg_start'] or [])}")
    L.append(f"- Apical: {info['apical_version']}, git {info['git']}, build `{info['apical_build']}`")
    b2v = next((r["brian2"].get("version") for r in results if r["brian2"].get("version")), "n/a")
    flags = next((r["brian2"].get("compiler_flags") for r in results if r["brian2"].get("compiler_flags")), None)
    L.append(f"- Brian2: {b2v} (C++ standalone, no OpenMP, float64; compiled with "
             f"`{' '.join(flags) if flags else 'n/a'}`)")
    L.append(f"- Compiler: {info['gxx']}; Python for Brian2: `{a.python}`")
    L.append("")
    L.append("## Variant\n")
    L.append("Brette et al. 2007 benchmarks 1 (COBA) and 2 (CUBA): 4000 LIF cells (3200 exc, 800 inh), "
             "p = 0.02 by independent Bernoulli draws per pair (autapses allowed, no multapses), "
             "C = 200 pF, gL = 10 nS, EL = -60 mV (CUBA -49 mV), threshold -50 mV, reset -60 mV, "
             "refractory 5 ms (V clamped), dt = 0.1 ms, delay 1 ms; exponential synapses "
             "COBA +6 nS (5 ms, 0 mV) / +67 nS (10 ms, -80 mV), CUBA +16.2 pA / -90 pA (5 / 10 ms). "
             "Initial V ~ U[-60, -50] mV; COBA g_exc ~ N(40, 15) nS, g_inh ~ N(200, 120) nS clipped at 0; "
             "CUBA currents 0. No external input. "
             f"{fmt(a.duration, 'g')} s of biological time. Brian2 integrates CUBA with `exact`, "
             "COBA with `exponential_euler`. Details: bench/README.md.\n")
    L.append("Wall time and peak RSS: whole process measured from outside with `/usr/bin/time -v` "
             f"(set-up, simulation, writing spikes), median of {a.reps} interleaved repetition(s). "
             "Brian2: the compiled standalone binary only (code generation and compilation excluded, "
             "reported below). Speed ratio = Brian2 wall / Apical wall (above 1: Apical is faster).\n")
    for r in results:
        m = r["model"].upper()
        ap, b2 = r["apical"], r["brian2"]
        a1, a2, bb = ap.get("t1", {}), ap.get("t2", {}), b2.get("t1", {})
        ast, bst = ap.get("stats") or {}, b2.get("stats") or {}
        ratio = (bb["wall_s"] / a1["wall_s"]) if bb.get("wall_s") and a1.get("wall_s") else None
        speedup = (a1["wall_s"] / a2["wall_s"]) if a1.get("wall_s") and a2.get("wall_s") else None
        L.append(f"## {m}\n")
        L.append("| | Apical, 1 thread | Apical, 2 threads | Brian2, 1 thread |")
        L.append("|---|---|---|---|")
        L.append(f"| wall time, s (median) | {fmt(a1.get('wall_s'), '.2f')} | {fmt(a2.get('wall_s'), '.2f')} | "
                 f"{fmt(bb.get('wall_s'), '.2f')} |")
        L.append(f"| all repetitions, s | {', '.join(fmt(x, '.2f') for x in a1.get('wall_all_s', [])) or 'n/a'} | "
                 f"{', '.join(fmt(x, '.2f') for x in a2.get('wall_all_s', [])) or 'n/a'} | "
                 f"{', '.join(fmt(x, '.2f') for x in bb.get('wall_all_s', [])) or 'n/a'} |")
        L.append(f"| peak RSS, MiB | {fmt(a1.get('rss_mb'), '.1f')} | {fmt(a2.get('rss_mb'), '.1f')} | "
                 f"{fmt(bb.get('rss_mb'), '.1f')} |")
        a2st = ap.get("stats_t2") or {}
        L.append(f"| mean rate, Hz | {fmt(ast.get('mean_rate_hz'), '.2f')} | {fmt(a2st.get('mean_rate_hz'), '.2f')} | "
                 f"{fmt(bst.get('mean_rate_hz'), '.2f')} |")
        L.append(f"| CV of ISI | {fmt(ast.get('cv_isi'), '.3f')} | {fmt(a2st.get('cv_isi'), '.3f')} | "
                 f"{fmt(bst.get('cv_isi'), '.3f')} |")
        L.append(f"| spikes | {fmt(ast.get('spikes'), 'd')} | {fmt(a2st.get('spikes'), 'd')} | {fmt(bst.get('spikes'), 'd')} |")
        L.append(f"| synapses | n/a | n/a | {fmt(bst.get('synapses'), 'd')} |")
        L.append(f"| seed | {fmt(ap.get('seed'), 'd')} | {fmt(ap.get('seed'), 'd')} | {fmt(b2.get('seed'), 'd')} |")
        inner_a = ast.get("wall_inner_s")
        L.append(f"| time reported inside the process, s | {fmt(inner_a, '.2f')} | "
                 f"{fmt(a2st.get('wall_inner_s'), '.2f')} | {fmt(bst.get('wall_run_seconds'), '.2f')} (run loop) |")
        L.append("")
        L.append(f"- Speed ratio Brian2 / Apical (1 thread): **{fmt(ratio, '.2f')}**")
        L.append(f"- Apical speed-up 1 -> 2 threads: **{fmt(speedup, '.2f')}**")
        if "threads_agree" in ap:
            L.append(f"- Apical, 1 vs 2 threads: {ap['threads_agree']}")
        if ast.get("source"):
            L.append(f"- Apical statistics from: {ast['source']}")
            insp = ast.get("inspect") or {}
            if insp.get("mean_rate_hz") is not None:
                L.append(f"  (`apical inspect --json`: rate {fmt(insp.get('mean_rate_hz'), '.2f')} Hz, "
                         f"CV {fmt(insp.get('cv_isi'), '.3f')})")
        if b2.get("codegen_compile_s"):
            L.append(f"- Brian2 code generation + compilation + first run (not timed above): "
                     f"{fmt(b2['codegen_compile_s'], '.1f')} s")
        for n in r["notes"]:
            L.append(f"- Note: {n.strip()}".replace("\n", "\n  "))
        L.append("")
    L.append("## Reproduce\n")
    L.append("```")
    L.append(cmdline)
    L.append("```")
    L.append("Single runs by hand (what the harness times):")
    L.append("```")
    L.append(f"build/apical run scenarios/coba.yaml -o /tmp/coba.h5 --force --quiet "
             f"--set \"simulation.duration={a.duration:g} s\" --threads 1")
    L.append(f"{a.python} bench/brian2_coba.py --duration {a.duration:g} --seed 1 --out-dir bench/out/b2   "
             "# generate + compile + run once")
    L.append("(cd bench/out/b2/coba_project && /usr/bin/time -v ./main)   # the timed run")
    L.append(f"{a.python} bench/brian2_coba.py --analyze-only --out-dir bench/out/b2   # rate, CV")
    L.append("```")
    L.append(f"Raw numbers: `{os.path.relpath(os.path.join(a.out_dir, 'results.json'), ROOT)}`.")
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


NAUD_HEADING = "naud2018 two-compartment cells with background noise (issue 3)"
# Relative difference above which "equal spike statistics" is flagged in the report.
STATS_TOLERANCE = 0.10


def rel_diff(a, b):
    """(a - b) / b, None when either is missing or b is 0."""
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or not b:
        return None
    return (a - b) / b


def write_report_naud(r, a, info, path):
    """One section (## heading) for the naud2018 benchmark; run_bench.sh splices it into
    bench/RESULTS.md between the markers <!-- naud2018:begin --> and <!-- naud2018:end -->."""
    ap, b2 = r["apical"], r["brian2"]
    a1, a2, bb = ap.get("t1", {}), ap.get("t2", {}), b2.get("t1", {})
    ast, a2st, bst = ap.get("stats") or {}, ap.get("stats_t2") or {}, b2.get("stats") or {}
    abu, a2bu, bbu = ast.get("bursts") or {}, a2st.get("bursts") or {}, bst.get("bursts") or {}

    def ratio(x, y):
        return x / y if x and y else None

    cmdline = ("bench/run_bench.sh " + a.command_line).strip()
    L = [f"## {NAUD_HEADING}\n"]
    if a.quick:
        L.append("**Quick smoke run (`--quick`): short biological time, 1 repetition. Not a measurement.**\n")
    if not info.get("apical_measured", True):
        L.append(f"**Apical was not measured: {info['apical_note']}. Only the Brian2 numbers below are real.**\n")
    L.append(f"Generated by `{cmdline}` on {info['date']}. Machine: {info['cpu']}, `nproc` = {info['nproc']}, "
             f"load average at start {' '.join(info['loadavg_start'] or [])} (a shared VM: other developers were "
             "compiling at the same time, so single timings are noisy; the repetitions are interleaved). "
             f"Apical {info['apical_version']}, git {info['git']}, `{info['apical_build']}` (-O2, no fast-math); "
             f"Brian2 {b2.get('version') or 'n/a'} C++ standalone, 1 thread, float64, compiled with "
             f"`{' '.join(b2.get('compiler_flags') or []) or 'n/a'}`.\n")
    L.append("Variant (bench/README.md): 4000 unconnected `pyramidal` cells, preset `naud2018` (Naud & Sprekeler "
             "2018 two-compartment cell in the published code's conventions: forward Euler at dt = 0.1 ms, "
             "dendritic synapses driven by the somatic voltage, weights in units of the compartment's leak "
             "conductance), each with its own background noise: 500 Hz AMPA + 500 Hz GABA_A Poisson inputs on the "
             "soma (weights 0.35/0.35) and on the dendrite (0.05/0.05); no constant currents; initial "
             f"V_soma ~ N(-70 mV, 5 mV); {fmt(a.duration, 'g')} s of biological time; spikes recorded. "
             "Apical: `bench/naud2018_noise.yaml`. Brian2: `bench/brian2_naud2018.py` (the same equations, "
             "method `euler`, the noise as four `PoissonInput`s; its docstring lists where Brian2's update "
             "order differs).\n")
    L.append("Wall time and peak RSS of the whole process from `/usr/bin/time -v` (set-up, simulation, writing "
             f"spikes); {a.reps} interleaved repetition(s) of each. Brian2: the compiled binary only (code "
             "generation and compilation excluded, reported below).\n")
    L.append("| | Apical, 1 thread | Apical, 2 threads | Brian2, 1 thread | Apical 1 thread vs Brian2 |")
    L.append("|---|---|---|---|---|")

    def row(label, x1, x2, xb, spec, diff=True):
        d = rel_diff(x1, xb) if diff else None
        L.append(f"| {label} | {fmt(x1, spec)} | {fmt(x2, spec)} | {fmt(xb, spec)} | "
                 f"{(format(d * 100, '+.1f') + ' %') if d is not None else ''} |")

    L.append(f"| wall time, s: best | {fmt(a1.get('wall_min_s'), '.2f')} | {fmt(a2.get('wall_min_s'), '.2f')} | "
             f"{fmt(bb.get('wall_min_s'), '.2f')} | Brian2 / Apical = {fmt(ratio(bb.get('wall_min_s'), a1.get('wall_min_s')), '.2f')} |")
    L.append(f"| wall time, s: median | {fmt(a1.get('wall_s'), '.2f')} | {fmt(a2.get('wall_s'), '.2f')} | "
             f"{fmt(bb.get('wall_s'), '.2f')} | Brian2 / Apical = {fmt(ratio(bb.get('wall_s'), a1.get('wall_s')), '.2f')} |")
    L.append(f"| all repetitions, s | {', '.join(fmt(x, '.2f') for x in a1.get('wall_all_s', [])) or 'n/a'} | "
             f"{', '.join(fmt(x, '.2f') for x in a2.get('wall_all_s', [])) or 'n/a'} | "
             f"{', '.join(fmt(x, '.2f') for x in bb.get('wall_all_s', [])) or 'n/a'} | |")
    L.append(f"| CPU time (user + sys), s: best | {fmt(a1.get('cpu_min_s'), '.2f')} | {fmt(a2.get('cpu_min_s'), '.2f')} | "
             f"{fmt(bb.get('cpu_min_s'), '.2f')} | Brian2 / Apical = {fmt(ratio(bb.get('cpu_min_s'), a1.get('cpu_min_s')), '.2f')} |")
    L.append(f"| CPU time, all repetitions, s | {', '.join(fmt(x, '.2f') for x in a1.get('cpu_all_s', [])) or 'n/a'} | "
             f"{', '.join(fmt(x, '.2f') for x in a2.get('cpu_all_s', [])) or 'n/a'} | "
             f"{', '.join(fmt(x, '.2f') for x in bb.get('cpu_all_s', [])) or 'n/a'} | |")
    L.append(f"| time inside the process, s | {fmt(ast.get('wall_inner_s'), '.2f')} | "
             f"{fmt(a2st.get('wall_inner_s'), '.2f')} | {fmt(bst.get('wall_run_seconds'), '.2f')} (run loop) | |")
    L.append(f"| peak RSS, MiB (median) | {fmt(a1.get('rss_mb'), '.1f')} | {fmt(a2.get('rss_mb'), '.1f')} | "
             f"{fmt(bb.get('rss_mb'), '.1f')} | |")
    row("spikes", ast.get("spikes"), a2st.get("spikes"), bst.get("spikes"), "d")
    row("mean rate, Hz", ast.get("mean_rate_hz"), a2st.get("mean_rate_hz"), bst.get("mean_rate_hz"), ".3f")
    row("CV of ISI", ast.get("cv_isi"), a2st.get("cv_isi"), bst.get("cv_isi"), ".3f")
    row("event rate, Hz (16 ms rule)", abu.get("event_rate_hz"), a2bu.get("event_rate_hz"),
        bbu.get("event_rate_hz"), ".3f")
    row("burst probability (bursts / events)", abu.get("burst_probability"), a2bu.get("burst_probability"),
        bbu.get("burst_probability"), ".3f")
    row("fraction of spikes in bursts", abu.get("burst_spike_fraction"), a2bu.get("burst_spike_fraction"),
        bbu.get("burst_spike_fraction"), ".3f")
    L.append(f"| seed | {fmt(ap.get('seed'), 'd')} | {fmt(ap.get('seed'), 'd')} | {fmt(b2.get('seed'), 'd')} | |")
    L.append("")
    best = ratio(bb.get("wall_min_s"), a1.get("wall_min_s"))
    med = ratio(bb.get("wall_s"), a1.get("wall_s"))
    L.append(f"- Speed ratio Brian2 / Apical, 1 thread each: **{fmt(best, '.2f')}** (best of {a.reps}), "
             f"{fmt(med, '.2f')} (medians). Issue 3 target: at least 5 (aim 10).")
    L.append("- CPU time (user + sys of the whole process, from `/usr/bin/time -v`) is the steadier measure on "
             "this shared machine: when other jobs compete, a process gets a share of a core (about 50 % during "
             "the first measurement of this section) and its wall time grows accordingly; "
             "the 2-thread wall time only shows a speed-up when a second core is free.")
    L.append(f"- Brian2 (1 thread) / Apical (2 threads): {fmt(ratio(bb.get('wall_min_s'), a2.get('wall_min_s')), '.2f')} "
             f"(best); Apical speed-up 1 -> 2 threads: {fmt(ratio(a1.get('wall_min_s'), a2.get('wall_min_s')), '.2f')} (best).")
    if "threads_agree" in ap:
        L.append(f"- Apical, 1 vs 2 threads: {ap['threads_agree']}")
    diffs = {k: rel_diff(x, y) for k, x, y in (
        ("mean rate", ast.get("mean_rate_hz"), bst.get("mean_rate_hz")),
        ("CV of ISI", ast.get("cv_isi"), bst.get("cv_isi")),
        ("event rate", abu.get("event_rate_hz"), bbu.get("event_rate_hz")),
        ("burst probability", abu.get("burst_probability"), bbu.get("burst_probability")),
        ("fraction of spikes in bursts", abu.get("burst_spike_fraction"), bbu.get("burst_spike_fraction")))}
    known = {k: v for k, v in diffs.items() if v is not None}
    if known:
        worst = max(known, key=lambda k: abs(known[k]))
        verdict = ("within" if abs(known[worst]) <= STATS_TOLERANCE else "OUTSIDE")
        L.append(f"- Spike statistics: largest relative difference Apical vs Brian2 {known[worst] * 100:+.1f} % "
                 f"({worst}), {verdict} the {STATS_TOLERANCE * 100:.0f} % tolerance.")
    if b2.get("codegen_compile_s"):
        L.append(f"- Brian2 code generation + compilation + first run (not timed above): "
                 f"{fmt(b2['codegen_compile_s'], '.1f')} s")
    for n in r["notes"]:
        L.append(f"- Note: {n.strip()}".replace("\n", "\n  "))
    L.append("")
    L.append("Reproduce:")
    L.append("```")
    L.append(cmdline)
    L.append(f"build/apical run bench/naud2018_noise.yaml -o /tmp/naud.h5 --force --quiet --threads 1   # one Apical run")
    L.append(f"{a.python} bench/brian2_naud2018.py --duration {a.duration:g} --seed 1 --out-dir bench/out/b2n   "
             "# Brian2: generate + compile + run once")
    L.append("(cd bench/out/b2n/naud2018_project && /usr/bin/time -v ./main)   # the timed Brian2 run")
    L.append(f"{a.python} bench/brian2_naud2018.py --analyze-only --out-dir bench/out/b2n   # its statistics")
    L.append("```")
    L.append(f"Raw numbers: `{os.path.relpath(os.path.join(a.out_dir, 'results.json'), ROOT)}`.")
    with open(path, "w") as f:
        f.write("<!-- naud2018:begin -->\n" + "\n".join(L) + "\n<!-- naud2018:end -->\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=10.0, help="biological time, s (default 10)")
    ap.add_argument("--reps", type=int, default=3, help="timed repetitions (median; default 3)")
    ap.add_argument("--seed", type=int, default=1, help="first seed to try (default 1)")
    ap.add_argument("--seed-tries", type=int, default=20,
                    help="seeds to try until the activity survives (default 5)")
    ap.add_argument("--alive-hz", type=float, default=1.0,
                    help="rate over the last 10%% of the run below which activity counts as died out")
    ap.add_argument("--apical", default=os.path.join(ROOT, "build", "apical"))
    ap.add_argument("--apical-status", default="", help="why Apical is unavailable (from run_bench.sh)")
    ap.add_argument("--apical-build", default="", help="how Apical was built (for the report)")
    ap.add_argument("--python", default="/usr/bin/python3", help="Python with Brian2")
    ap.add_argument("--out-dir", default=os.path.join(HERE, "out"))
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--models", default="coba,cuba")
    ap.add_argument("--event-times", default="exact", choices=["exact", "grid"],
                    help="Apical's simulation.event_times (default exact)")
    ap.add_argument("--rebuild-brian2", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--command-line", default="", help=argparse.SUPPRESS)
    a = ap.parse_args()
    global EVENT_TIMES
    EVENT_TIMES = a.event_times
    a.out_dir = os.path.abspath(a.out_dir)
    os.makedirs(a.out_dir, exist_ok=True)

    apical_ok = not a.apical_status and os.access(a.apical, os.X_OK)
    apical_note = a.apical_status or f"{a.apical} not found or not executable"
    info = machine_info()
    info["date"] = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    info["apical_version"] = apical_version(a.apical) if apical_ok else f"not measured ({apical_note})"
    info["git"] = git_commit()
    info["apical_build"] = a.apical_build or "n/a"
    info["apical_measured"] = apical_ok
    info["apical_note"] = apical_note

    models = [m.strip() for m in a.models.split(",") if m.strip()]
    for model in models:
        if model not in MODELS:
            sys.exit(f"unknown model {model!r}; allowed: {', '.join(MODELS)}")
    if "naud2018" in models and len(models) > 1:
        sys.exit("naud2018 has its own report: run it separately (bench/run_bench.sh does)")
    results = []
    for model in models:
        results.append(run_model(model, a, apical_ok, apical_note))
    json.dump({"machine": info, "args": vars(a), "results": results},
              open(os.path.join(a.out_dir, "results.json"), "w"), indent=1, default=str)
    if models == ["naud2018"]:
        write_report_naud(results[0], a, info, a.results)
    else:
        write_report(results, a, info, a.results)
    log(f"wrote {a.results}")
    for r in results:
        for n in r["notes"]:
            log(f"{r['model']}: {n.splitlines()[0]}")


if __name__ == "__main__":
    main()
