#!/usr/bin/env python3
"""Medians and ratios from bench/device_threads.sh's threads.txt.

    python3 bench/summarize_threads.py threads.txt

Per network: median whole-process wall time on 1, 2 and 4 threads, the speed-ups, the median
run loop (simulated time only) and its speed-up, the fixed cost (median 1 ms run), and Brian2's
median with Brian2 / Apical for 1 thread.
"""
import collections
import statistics
import sys


def main():
    wall, loop, rss = collections.defaultdict(list), collections.defaultdict(list), collections.defaultdict(list)
    failed = collections.Counter()
    for line in open(sys.argv[1]):
        f = line.split()
        if len(f) == 2 and f[1] == "FAILED":
            failed[f[0]] += 1
        elif len(f) == 3 and f[1] == "loop":
            loop[f[0]].append(float(f[2]))
        elif len(f) == 3:
            wall[f[0]].append(float(f[1]))
            rss[f[0]].append(int(f[2]))
    med = lambda d, k: statistics.median(d[k]) if d.get(k) else float("nan")
    print("| network | 1 thread (s) | 2 threads | 4 threads | speed-up 2 / 4 threads | run loop 1 / 2 threads (s) "
          "| run-loop speed-up 2 threads | fixed cost 1 / 2 threads (ms) | Brian2 (s) | Brian2 / Apical 1 thread "
          "| peak RSS 1 thread / Brian2 (MiB) | runs |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for net, fixed, b2 in (("cuba_grid", "cuba_fixed", "brian2_cuba"), ("coba_grid", "coba_fixed", "brian2_coba"),
                           ("cuba_exact", None, "brian2_cuba"), ("coba_exact", None, "brian2_coba"),
                           ("cuba16k_grid", None, None)):
        t1, t2, t4 = (med(wall, f"{net}_t{t}") for t in (1, 2, 4))
        l1, l2 = med(loop, f"{net}_t1"), med(loop, f"{net}_t2")
        fx = f"{med(wall, fixed + '_t1') * 1e3:.0f} / {med(wall, fixed + '_t2') * 1e3:.0f}" if fixed else "-"
        b = med(wall, b2) if b2 else float("nan")
        rb = f"{med(rss, b2) / 1024:.1f}" if b2 and rss.get(b2) else "-"
        print(f"| {net} | {t1:.3f} | {t2:.3f} | {t4:.3f} | **{t1 / t2:.2f}x** / {t1 / t4:.2f}x | {l1:.3f} / {l2:.3f} "
              f"| {l1 / l2:.2f}x | {fx} | {b:.3f} | {b / t1:.2f}x | {med(rss, net + '_t1') / 1024:.1f} / {rb} "
              f"| {len(wall[net + '_t1'])} |")
    if failed:
        print("\nFailed runs: " + ", ".join(f"{k} x{v}" for k, v in sorted(failed.items())))


if __name__ == "__main__":
    main()
