"""Dendritic gating of burst-dependent plasticity (scenarios/plasticity_dendritic_gate.yaml;
Payeur et al. 2021, Fig. 2E-G protocol, reduced sizes).

The payeur2021 rule changes W by eta [B - Pbar E] Etilde: raising the postsynaptic dendritic
input raises the postsynaptic burst probability above its moving average Pbar (potentiation
until Pbar catches up); lowering it again gives depression. Presynaptic bursts enter only
through Etilde, which counts presynaptic events, so changing the presynaptic dendritic input
(burst probability) leaves the sign and size of the change essentially alone.
Checked on the mean weight: change over 8-16 s > 0, over 16-24 s < 0, and over 24-32 s and
32-40 s each smaller in size than a quarter of the smaller of the first two.
Also: the postsynaptic burst probability rises by more than 0.2 during 8-16 s and the
presynaptic one during 24-32 s (the protocol does what it says).
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

apical, src = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "dg.h5")
    subprocess.run([apical, "run", os.path.join(src, "scenarios", "plasticity_dendritic_gate.yaml"), "-o", out,
                    "--quiet"], check=True)
    with h5py.File(out, "r") as f:
        w = f["weights/pre_to_post"]
        t, total, n = w["time"][:], w["sum"][:], len(w["final_weight"])
        bp = {p: f[f"rates/{p}/burst_probability"][:] for p in ("pre", "post")}

mean_w = lambda s: total[np.searchsorted(t, s * 1000.0 - 1e-6)] / n
edges = [8, 16, 24, 32, 39.9]
d = [mean_w(b) - mean_w(a) for a, b in zip(edges[:-1], edges[1:])]
print("mean weight at 8/16/24/32/40 s: " + " ".join(f"{mean_w(s):.4f}" for s in edges))
print(f"change: post dendrite up {d[0]:+.4f}, down {d[1]:+.4f}; pre dendrite up {d[2]:+.4f}, down {d[3]:+.4f}")
bpm = lambda p, a, b: float(np.nanmean(bp[p][a:b]))
print(f"post BP 0-8 s {bpm('post', 0, 8):.2f}, 8-16 s {bpm('post', 8, 16):.2f}; "
      f"pre BP 16-24 s {bpm('pre', 16, 24):.2f}, 24-32 s {bpm('pre', 24, 32):.2f}")
ok = d[0] > 0 and d[1] < 0 and max(abs(d[2]), abs(d[3])) < 0.25 * min(abs(d[0]), abs(d[1]))
ok = ok and bpm("post", 8, 16) > bpm("post", 0, 8) + 0.2 and bpm("pre", 24, 32) > bpm("pre", 16, 24) + 0.2
print("plasticity_dendritic_gate: " + ("OK" if ok else "FAILED"))
sys.exit(0 if ok else 1)
