#!/usr/bin/env python3
"""What limits Apical's 2-thread speed-up on this machine: a decomposition, measured.

Runs, interleaved, R rounds of (per model, grid event times unless --event-times exact, 10 s of
biological time):
  1 thread, 2 threads                      whole process, unpinned (what bench/run_bench.sh times)
  1 thread pinned to CPU 0, then to CPU 1  (taskset): are the two cores equally fast right now?
  1 thread pinned to CPU 0 and another      two independent processes at once: how much do the
    pinned to CPU 1, started together       two cores slow each other down when both are busy?
  1 thread and 2 threads for 1 ms          the fixed cost: start, parse, build, file, exit
and reports per model the medians of
  whole-process speed-up            T1 / T2
  simulated-part speed-up           (T1 - F1) / (T2 - F2), F: the 1 ms run
  what the cores allow              1 + (t_fast - F1) / (t_slow - F1) for the simulated part,
                                    from the pinned runs (two unequal cores cannot do better
                                    than the fast one plus the slow one's share)
  what the cores allow, both busy   (T1 - F1) (1 / (b0 - F1) + 1 / (b1 - F1)) for the simulated
                                    part, b0 and b1 the two processes run at once: the work
                                    split perfectly between two cores as fast as they are when
                                    both are busy, with nothing to share and no barrier; and the
                                    same bound for the whole process, T1 / (F2 + that part)

and, before and after the rounds, what the machine itself does to two threads (build/bench/vm_probe,
when built: stalls of each CPU alone and with both busy, the cache-line round trip between the
two CPUs, the cost of a fresh page; bench/RESULTS.md, "What this VM allows two threads").

    /usr/bin/python3 bench/two_threads.py [--rounds 5] [--models cuba,coba] [--event-times grid|exact]
                                          [--apical build/apical]

Timing is wall time around the whole process (Python's perf_counter around subprocess.run), so
the fixed cost includes process start and exit, as in bench/run_bench.sh.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Seeds whose activity survives 10 s, per event-time mode (COBA dies out for about half of all
# seeds; bench/README.md; the first surviving seeds, as bench/run_bench.sh picks them). The run's
# rate is reported.
SEEDS = {"grid": {"cuba": 1, "coba": 13}, "exact": {"cuba": 1, "coba": 1}}


def run(apical, model, seed, duration, threads, event_times, cpu=None):
    # (One file per CPU: run_both's two processes run at once.)
    out = f"/tmp/apical_two_threads_{model}{'' if cpu is None else f'_cpu{cpu}'}.h5"
    cmd = [apical, "run", os.path.join(ROOT, "scenarios", f"{model}.yaml"), "-o", out, "--force", "--quiet",
           "--seed", str(seed), "--threads", str(threads),
           "--set", f"simulation.duration={duration}", "--set", f"simulation.event_times={event_times}"]
    if cpu is not None:
        cmd = ["taskset", "-c", str(cpu)] + cmd
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t0, out


def run_both(apical, model, seed, duration, event_times):
    """1 thread pinned to CPU 0 and 1 thread pinned to CPU 1, two processes started together;
    each one's wall time (each waited for on its own thread, so neither waits for the other)."""
    times = [0.0, 0.0]

    def one(cpu):
        times[cpu] = run(apical, model, seed, duration, 1, event_times, cpu)[0]

    threads = [threading.Thread(target=one, args=(cpu,)) for cpu in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def rate(apical, path):
    info = json.loads(subprocess.run([apical, "inspect", path, "--json"], check=True, capture_output=True,
                                     text=True).stdout)
    pops = info["populations"]
    cells = sum(p["cells"] for p in pops)
    return sum(p["spikes"] for p in pops) / cells / (info["t_reached_ms"] / 1000.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--models", default="cuba,coba")
    ap.add_argument("--event-times", choices=("grid", "exact"), default="grid")
    ap.add_argument("--apical", default=os.path.join(ROOT, "build", "apical"))
    ap.add_argument("--fixed-reps", type=int, default=5, help="1 ms runs per round and thread count")
    ap.add_argument("--probe", default=os.path.join(ROOT, "build", "bench", "vm_probe"),
                    help="bench/vm_probe binary (skipped when missing)")
    a = ap.parse_args()
    if (os.cpu_count() or 1) < 2:
        sys.exit("two_threads.py: needs at least 2 CPUs")
    models = a.models.split(",")
    m = {k: {x: [] for x in ("T1", "T2", "P0", "P1", "B0", "B1", "F1", "F2")} for k in models}
    rates = {}
    probe = os.path.exists(a.probe)
    probes = [probe_machine(a.probe)] if probe else []
    for r in range(a.rounds):
        for model in models:
            seed = SEEDS[a.event_times][model]
            d = m[model]
            # Rotate the order so that no variant always runs first after the other model.
            steps = [("T1", 1, None), ("T2", 2, None), ("P0", 1, 0), ("P1", 1, 1), ("B", 1, None)]
            steps = steps[r % len(steps):] + steps[:r % len(steps)]
            for key, threads, cpu in steps:
                if key == "B":
                    b0, b1 = run_both(a.apical, model, seed, "10 s", a.event_times)
                    d["B0"].append(b0)
                    d["B1"].append(b1)
                    continue
                t, out = run(a.apical, model, seed, "10 s", threads, a.event_times, cpu)
                d[key].append(t)
                if key == "T1" and model not in rates:
                    rates[model] = rate(a.apical, out)
            for key, threads in (("F1", 1), ("F2", 2)):
                d[key].append(statistics.median(run(a.apical, model, seed, "1 ms", threads, a.event_times)[0]
                                                for _ in range(a.fixed_reps)))
        print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)
    if probe:
        probes.append(probe_machine(a.probe))

    git = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True).stdout.strip()
    print(f"### 2 threads on this machine: a decomposition\n")
    flags = "" if a.event_times == "grid" else " --event-times exact"
    print(f"`/usr/bin/python3 bench/two_threads.py --rounds {a.rounds}{flags}` (git {git}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {a.event_times} event times, 10 s; medians of "
          f"{a.rounds} interleaved rounds, seconds of wall time per whole process).\n")
    print("| Model | 1 thread | 2 threads | speed-up | fixed cost 1 / 2 threads | simulated part, "
          "speed-up | 1 thread on CPU 0 / CPU 1: alone, both at once | what the two cores allow, simulated "
          "part: alone, both busy | what the two cores allow, whole process, both busy |")
    print("|---|---|---|---|---|---|---|---|---|")
    for model in models:
        d = {k: statistics.median(v) for k, v in m[model].items()}
        loop1, loop2 = d["T1"] - d["F1"], d["T2"] - d["F2"]
        fast, slow = min(d["P0"], d["P1"]), max(d["P0"], d["P1"])
        cap = 1 + (fast - d["F1"]) / (slow - d["F1"])
        both = 1 / (1 / (d["B0"] - d["F1"]) + 1 / (d["B1"] - d["F1"]))  # one run's simulated part, split
        cap_busy = loop1 / both
        cap_whole = d["T1"] / (d["F2"] + both)
        print(f"| {model.upper()} ({rates[model]:.1f} Hz) | {d['T1']:.3f} | {d['T2']:.3f} | "
              f"**{d['T1'] / d['T2']:.2f}x** | {d['F1'] * 1e3:.0f} / {d['F2'] * 1e3:.0f} ms | "
              f"{loop1 / loop2:.2f}x | {d['P0']:.3f} / {d['P1']:.3f}; {d['B0']:.3f} / {d['B1']:.3f} | "
              f"{cap:.2f}x; {cap_busy:.2f}x | {cap_whole:.2f}x |")
    print()
    for model in models:
        print(f"- {model.upper()} per round (1 thread, 2 threads, CPU 0, CPU 1, CPU 0 and CPU 1 at once): " +
              "; ".join(f"{m[model]['T1'][i]:.3f} {m[model]['T2'][i]:.3f} {m[model]['P0'][i]:.3f} "
                        f"{m[model]['P1'][i]:.3f} {m[model]['B0'][i]:.3f} {m[model]['B1'][i]:.3f}"
                        for i in range(a.rounds)))
    for when, lines in zip(("before", "after"), probes):
        print(f"\nThe machine {when} the rounds (`build/bench/vm_probe`):\n")
        for line in lines:
            print(f"- {line}")


def probe_machine(path):
    return subprocess.run([path], check=True, capture_output=True, text=True).stdout.strip().splitlines()


if __name__ == "__main__":
    main()
