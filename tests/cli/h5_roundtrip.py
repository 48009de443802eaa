"""Round trip through the HDF5 file, read back with h5py: a run whose spikes and voltage
are known in closed form (LIF, constant current, exact integration) must appear in the
SONATA layout with exactly those values.

Closed form (lif defaults: C 200 pF, g_L 10 nS, E_L = V_reset -60 mV, V_th -50 mV):
V(t) = E_L + I/g_L (1 - exp(-t/tau)), tau = 20 ms; period T = t_ref + tau ln(I/(I - 100 pA)).
"""
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

apical, src = sys.argv[1], sys.argv[2]
I, t_ref, tau = 300.0, 2.0, 20.0
scenario = f"""
name: roundtrip
simulation: {{duration: 500 ms, dt: 0.1 ms, seed: 3}}
populations:
  a: {{model: lif, size: 4, parameters: {{t_ref: {t_ref} ms}}}}
  silent: {{model: lif, size: 2}}
stimuli:
  dc: {{type: constant_current, target: a, amplitude: {I} pA, cells: [1, 3]}}
recording:
  spikes: all
  rates: {{populations: [a], bin: 50 ms}}
  traces:
    vm: {{population: a, variables: [v], cells: [1, 0], interval: 0.5 ms}}
output: {{file: rt.h5}}
"""
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "rt.yaml")
    open(path, "w").write(scenario)
    out = os.path.join(d, "rt.h5")
    subprocess.run([apical, "run", path, "-o", out, "--quiet"], check=True)
    subprocess.run([sys.executable, os.path.join(src, "tests/python/check_sonata_layout.py"), out], check=True)
    f = h5py.File(out, "r")
    assert f.attrs["magic"] == 0x0A7A and list(f.attrs["version"]) == [0, 1]
    assert f["apical"].attrs["completed"] == 1 and f["apical"].attrs["t_reached"] == 500.0

    period = t_ref + tau * math.log(I / (I - 100.0))
    t_first = tau * math.log(I / (I - 100.0))
    n_expected = int((500.0 - t_first) // period) + 1
    g = f["spikes/a"]
    ts, ids = g["timestamps"][:], g["node_ids"][:]
    assert g["timestamps"].dtype == np.float64 and g["node_ids"].dtype == np.uint64
    assert g["timestamps"].attrs["units"] in ("ms", b"ms")
    assert set(ids.tolist()) == {1, 3}, ids
    for cell in (1, 3):
        t = ts[ids == cell]
        assert len(t) == n_expected, (len(t), n_expected)
        exact = t_first + period * np.arange(n_expected)
        assert np.max(np.abs(t - exact)) < 1e-8, np.max(np.abs(t - exact))
    # Both driven cells spike at identical times: sorted by time, then node id.
    assert np.all(ids[0::2] == 1) and np.all(ids[1::2] == 3)
    assert len(f["spikes/silent/timestamps"]) == 0

    # Trace: cell 1 (driven) then cell 0 (at rest), every 0.5 ms over [0, 500).
    r = f["report/vm/a"]
    data = r["data"][:]
    assert data.dtype == np.float32 and data.shape == (1000, 2), data.shape
    assert list(r["mapping/node_ids"][:]) == [1, 0]
    assert list(r["mapping/index_pointers"][:]) == [0, 1, 2]
    assert list(r["mapping/time"][:]) == [0.0, 500.0, 0.5]
    t = np.arange(1000) * 0.5
    v = data[:, 0].astype(float)
    before = t < t_first - 0.5
    assert np.max(np.abs(v[before] - (-60.0 + I / 10.0 * (1 - np.exp(-t[before] / tau))))) < 1e-4
    assert np.all(data[:, 1] == -60.0)

    # Rates: 50 ms bins, Hz per cell = count / (4 cells * 0.05 s).
    rate = f["rates/a/rate"][:]
    assert len(rate) == 10
    edges = np.arange(11) * 50.0
    counts = np.histogram(ts, bins=edges)[0]
    assert np.allclose(rate, counts / (4 * 0.05)), (rate, counts)
print("round trip OK")
