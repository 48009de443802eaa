"""Burst-dependent plasticity under pairing and Poisson protocols (scenarios/plasticity_pairing.yaml).

Pairing (trains of 5 pre/post pairings at f, post 5 ms after pre; Pbar held near 0.2):
a postsynaptic event depresses by eta Pbar Etilde, a burst potentiates by eta Etilde
(payeur2021 rule), so the sign of the weight change flips where pairings start to be bursts:
- ISI rule (16 ms): the second spike of a train is a burst when 1000 / f <= 16 ms, i.e. from
  62.5 Hz; below, every spike is an event. Expected: depression at f <= 60 Hz, potentiation
  at f >= 65 Hz.
- trace rule (16 ms): the trace accumulates over a train; the third spike of a train finds
  exp(-x) + exp(-2x) (x = T / 16 ms) and is a burst when that is >= 1/e, i.e. T <= 20.02 ms
  (f >= 49.95 Hz; the second spike alone needs f >= 62.5 Hz). Expected: depression at
  f <= 40 Hz, potentiation at f >= 50 Hz.
Poisson (naud2018 cells, burst fraction set by dendritic current, Pbar held near 0.3 by a
1000 s averaging time): a cell's summed weight change is E[Etilde] (B - Pbar E), positive when
its burst fraction B / E exceeds Pbar. Checked on block means (25 cells each) whose burst
fraction is at least 0.04 away from 0.3, and per cell for cells at least 0.1 away (>= 90 %
agree; the rest is sampling noise of finite spike trains).
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

apical, src = sys.argv[1], sys.argv[2]
scenario = os.path.join(src, "scenarios", "plasticity_pairing.yaml")
FREQS = [1, 2, 5, 10, 20, 30, 40, 50, 55, 60, 65, 70, 80, 90, 100]
ok = True


def run(d, rule):
    out = os.path.join(d, rule + ".h5")
    subprocess.run([apical, "run", scenario, "-o", out, "--quiet", "--set", f"recording.bursts.rule={rule}"], check=True)
    return h5py.File(out, "r")


def check(cond, msg):
    global ok
    if not cond:
        print("FAIL:", msg)
        ok = False


with tempfile.TemporaryDirectory() as d:
    for rule, last_dep, first_pot in (("isi", 60, 65), ("trace", 40, 50)):
        f = run(d, rule)
        w = f["weights/pairing"]
        tgt = w["final_target"][:].astype(np.int64)
        dw = np.array([float(w["final_weight"][:][tgt == k][0]) - 0.5 for k in range(len(FREQS))])
        print(f"{rule:>5}: " + "  ".join(f"{fr}Hz {x:+.3f}" for fr, x in zip(FREQS, dw)))
        for fr, x in zip(FREQS, dw):
            if fr <= last_dep:
                check(x < 0, f"{rule}: {fr} Hz should depress, dW = {x:+.4f}")
            if fr >= first_pot:
                check(x > 0, f"{rule}: {fr} Hz should potentiate, dW = {x:+.4f}")
        check(len(f["spikes/pair_post/timestamps"]) == 50 * len(FREQS), "pairing cells fire once per input")
        if rule == "trace":
            p = f["weights/poisson"]
            ft = p["final_target"][:].astype(np.int64)
            dwc = np.bincount(ft, weights=p["final_weight"][:] - 0.02, minlength=200)
            ids = f["spikes/poisson_post/node_ids"][:].astype(np.int64)
            b = f["bursts/poisson_post"]
            bi = b["node_ids"][:].astype(np.int64)
            n_spikes = np.bincount(ids, minlength=200)
            n_bursts = np.bincount(bi, minlength=200)
            events = n_spikes - np.bincount(bi, weights=b["spike_counts"][:] - 1.0, minlength=200)
            bf = n_bursts / np.maximum(events, 1)
            for blk in range(8):
                s = slice(25 * blk, 25 * blk + 25)
                fr = n_bursts[s].sum() / events[s].sum()
                m = dwc[s].mean()
                print(f"Poisson block {blk}: burst fraction {fr:.3f}, mean summed dW {m:+.4f}")
                if abs(fr - 0.3) >= 0.04:
                    check((m > 0) == (fr > 0.3), f"block {blk}: burst fraction {fr:.3f} vs Pbar 0.3, dW {m:+.4f}")
            far = np.abs(bf - 0.3) >= 0.1
            agree = np.mean((dwc[far] > 0) == (bf[far] > 0.3))
            print(f"per cell ({far.sum()} cells with |BF - 0.3| >= 0.1): sign agreement {agree:.3f}")
            check(far.sum() > 100 and agree >= 0.9, "per-cell sign agreement")
        f.close()
print("plasticity_pairing: " + ("OK" if ok else "FAILED"))
sys.exit(0 if ok else 1)
