"""Basal NMDA plateaus (scenarios/nmda_plateau.yaml), l5_3c cell.

Expected (shared reference, basal NMDA plateaus: Schiller et al. 2000, Major et al. 2008):
- 20 synchronous inputs on one basal branch: local plateau (v_basal0 above -40 mV for at least
  30 ms, "tens of ms"), peak above -25 mV, somatic depolarisation of 2-10 mV (Schiller: about
  6 mV; reference composite: 3-7 mV), no somatic spike;
- the same 20 inputs spread in time (25 ms apart) or over five branches: no plateau (never
  above -40 mV on basal0);
- plateau amplitude vs number of synchronous inputs N is sigmoidal: amplitude = mean basal
  depolarisation 10-50 ms after the input (the AMPA part has decayed by then). Sigmoidal is
  checked as: increasing in N; slope in the steep middle at least 2x the slope at small N
  (supralinear, NMDA regenerative) and at least 3x the slope at large N (saturation near
  E_NMDA). One compartment per branch gives a steep sigmoid rather than a strict step (shared
  reference); the half-maximum N is reported.
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

apical, src = sys.argv[1], sys.argv[2]
scenario = os.path.join(src, "scenarios", "nmda_plateau.yaml")


def run(out, *sets):
    cmd = [apical, "run", scenario, "-o", out, "--quiet", "--force"]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True)
    with h5py.File(out, "r") as f:
        return f["report/plateau/pyr/data"][:], len(f["spikes/pyr/timestamps"])


with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "nmda.h5")
    v, n_spikes = run(out)
    dt = 0.1  # trace interval (ms); input at 50 ms = row 500
    vs, vb = v[:, 0], v[:, 1]
    above = (vb > -40.0).sum() * dt
    dep = vs.max() + 70.0
    print(f"clustered: basal peak {vb.max():.1f} mV, {above:.1f} ms above -40 mV, soma +{dep:.2f} mV")
    assert above >= 30.0 and vb.max() > -25.0, "clustered input must give a plateau"
    assert 2.0 <= dep <= 10.0, dep
    assert n_spikes == 0
    for c, what in [(1, "spread in time"), (2, "spread over branches")]:
        peak = v[:, 3 * c + 1].max()
        print(f"{what}: basal0 peak {peak:.1f} mV, soma +{v[:, 3 * c].max() + 70:.2f} mV")
        assert peak < -40.0, what

    Ns = [2, 4, 6, 8, 9, 10, 11, 12, 14, 16, 20, 25, 30, 40]
    amp = []
    for N in Ns:
        times = "[" + ", ".join(["50 ms"] * N) + "]"
        v, _ = run(out, f"stimuli.sync_nmda.times={times}", f"stimuli.sync_ampa.times={times}")
        amp.append(v[600:1000, 1].mean() + 70.0)
    amp = np.array(amp)
    for N, a in zip(Ns, amp):
        print(f"N = {N:2d}: plateau amplitude {a:5.1f} mV")
    assert np.all(np.diff(amp) > 0), "amplitude must grow with N"
    slope = np.diff(amp) / np.diff(Ns)
    low, mid, high = slope[0], slope.max(), slope[-1]
    half = np.interp(0.5 * (amp[0] + amp[-1]), amp, Ns)
    print(f"slopes (mV per input): small N {low:.2f}, steepest {mid:.2f}, large N {high:.2f}; "
          f"half-maximum at N = {half:.1f}")
    assert mid >= 2.0 * low and mid >= 3.0 * high, "not sigmoidal"
print("NMDA plateau: OK")
