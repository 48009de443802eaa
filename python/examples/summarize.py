"""Print a per-population summary of an Apical result file and, when matplotlib is
installed, save a raster of each recorded population next to it.

    python examples/summarize.py coba.h5 [--no-plot]
"""
import argparse
import math
import os

import apical


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file")
    p.add_argument("--no-plot", action="store_true")
    a = p.parse_args()
    r = apical.load(a.file)
    m = r.meta
    print(f"{a.file}: {m.get('name', '')}, {m.get('t_reached')} of {m.get('t_stop')} ms, "
          f"{'completed' if m.get('completed') else 'NOT completed'}")
    print(f"{'population':<12}{'cells':>8}{'spikes':>10}{'rate_hz':>10}{'cv_isi':>8}")
    for s in apical.summary(r):
        rate = "-" if math.isnan(s["mean_rate_hz"]) else f"{s['mean_rate_hz']:.3g}"
        cv = "-" if math.isnan(s["cv_isi"]) else f"{s['cv_isi']:.3g}"
        spikes = "-" if s["spikes"] is None else s["spikes"]
        print(f"{s['name']:<12}{s['cells']:>8}{spikes:>10}{rate:>10}{cv:>8}")
    if a.no_plot:
        return
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib not installed: no plots)")
        return
    from apical import plot
    for pop in r.spikes:
        fig, ax = plt.subplots(figsize=(8, 4))
        plot.raster(r, pop, ax=ax)
        out = os.path.splitext(a.file)[0] + f"_raster_{pop}.png"
        fig.savefig(out, dpi=100)
        plt.close(fig)
        print(f"raster: {out}")


if __name__ == "__main__":
    main()
