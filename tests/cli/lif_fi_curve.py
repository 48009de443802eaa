"""scenarios/lif_fi.yaml against the closed-form f-I curve of the LIF neuron.

Population fi_k is one cell with I_e = 50 k pA, t_ref = 2 ms, starting at E_L = V_reset:
T = tau_m ln(I R / (I R - (V_th - E_L))) with tau_m = 20 ms, R = 0.1 GOhm, V_th - E_L = 10 mV;
spike times are T + n (t_ref + T). The exact integration path locates them to ~1e-9 ms, so
every spike time is checked with a 1e-6 ms tolerance, and the counts exactly.
"""
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

apical, src = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "fi.h5")
    subprocess.run([apical, "run", os.path.join(src, "scenarios", "lif_fi.yaml"), "-o", out, "--quiet"], check=True)
    f = h5py.File(out, "r")
    for k in range(11):
        I = 50.0 * k
        t = f["spikes"][f"fi_{k:02d}"]["timestamps"][:]
        if I <= 100.0:
            assert len(t) == 0, (k, len(t))
            continue
        T = 20.0 * math.log(I * 0.1 / (I * 0.1 - 10.0))
        n = int(math.floor((2000.0 - T) / (2.0 + T))) + 1
        exact = T + (2.0 + T) * np.arange(n)
        assert len(t) == n, (k, len(t), n)
        err = np.max(np.abs(t - exact))
        assert err < 1e-6, (k, err)
        print(f"fi_{k:02d}: I = {I:.0f} pA, {n} spikes, rate {n / 2.0:.1f} Hz, max spike-time error {err:.1e} ms")
print("f-I curve matches the closed form")
