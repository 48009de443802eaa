"""Burst multiplexing (scenarios/multiplexing.yaml), 2000 naud2018 cells with background noise.

Each spike is classified with the 16 ms rule of the published analysis scripts (shared
reference: a new event when the gap to the cell's previous spike exceeds 16 ms; a burst when an
event is followed by another spike within 16 ms). In 50 ms bins after the 1 s burn-in: event
rate ER, burst probability BP = bursts / events; drives are the bin means of the somatic and
dendritic currents. Expected (Naud & Sprekeler 2018): ER follows the somatic current, BP the
dendritic one. Checked: corr(ER, I_soma) > 0.8 and corr(BP, I_dend) > 0.8 (each channel
carries its own signal clearly), and each exceeds its cross term (corr(ER, I_dend),
corr(BP, I_soma)) by at least 0.4 in absolute value (the separation; the cross terms are not
zero because bursts add spikes and high event rates shorten ISIs). Published ranges (Fig. 3
of Payeur et al. 2021): ER 0-13 Hz, BP 0-65 %; ER must stay below 30 Hz and BP in (0, 1).
"""
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

apical, src = sys.argv[1], sys.argv[2]
scenario = os.path.join(src, "scenarios", "multiplexing.yaml")
N, T0, T1, BIN = 2000, 1000.0, 4000.0, 50.0

with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "mp.h5")
    subprocess.run([apical, "run", scenario, "-o", out, "--quiet"], check=True)
    with h5py.File(out, "r") as f:
        t = f["spikes/pyr/timestamps"][:]
        ids = f["spikes/pyr/node_ids"][:]

order = np.lexsort((t, ids))
t, ids = t[order], ids[order]
same = np.r_[False, ids[1:] == ids[:-1]]
gap_before = np.where(same, np.r_[np.inf, np.diff(t)], np.inf)
is_event = gap_before > 16.0
same_next = np.r_[ids[1:] == ids[:-1], False]
gap_after = np.where(same_next, np.r_[np.diff(t), np.inf], np.inf)
is_burst = is_event & (gap_after <= 16.0)

edges = np.arange(T0, T1 + BIN / 2, BIN)
ev = np.histogram(t[is_event], edges)[0]
bu = np.histogram(t[is_burst], edges)[0]
ER = ev / (N * BIN / 1000.0)
BP = np.where(ev > 0, bu / np.maximum(ev, 1), 0.0)
mid = np.linspace(0, 1, 21)
I_s = np.array([np.mean(200.0 * np.sin(2 * math.pi * 2.0 * ((a + mid * BIN) - 1000.0) / 1000.0)) for a in edges[:-1]])
I_d = np.array([np.mean(100.0 + 100.0 * np.sin(2 * math.pi * 0.894427191 * ((a + mid * BIN) - 1000.0) / 1000.0))
                for a in edges[:-1]])
c = lambda x, y: float(np.corrcoef(x, y)[0, 1])
r_er_s, r_er_d, r_bp_d, r_bp_s = c(ER, I_s), c(ER, I_d), c(BP, I_d), c(BP, I_s)
print(f"{len(t)} spikes, {ev.sum()} events, {bu.sum()} bursts in {len(ER)} bins of {BIN:.0f} ms")
print(f"event rate {ER.min():.1f}-{ER.max():.1f} Hz, burst probability {100 * BP.min():.0f}-{100 * BP.max():.0f} %")
print(f"corr(ER, I_soma) = {r_er_s:.3f}   corr(ER, I_dend) = {r_er_d:.3f}  (cross)")
print(f"corr(BP, I_dend) = {r_bp_d:.3f}   corr(BP, I_soma) = {r_bp_s:.3f}  (cross)")
assert r_er_s > 0.8 and r_bp_d > 0.8
assert r_er_s - abs(r_er_d) > 0.4 and r_bp_d - abs(r_bp_s) > 0.4
assert ER.max() < 30.0 and 0.0 < BP.mean() < 1.0
print("multiplexing: OK")
