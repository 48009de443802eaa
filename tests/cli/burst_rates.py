"""/bursts and the burst rates under /rates against an independent classification of the
recorded spikes (numpy, from the rule definitions in docs/models.md), for both rules.

scenarios/multiplexing.yaml, shortened (300 cells, 1.5 s) with recording.bursts and
recording.rates (50 ms) added. From the spikes, per cell in time order:
- isi: event when the gap to the previous spike exceeds 16 ms (or first spike); the next spike
  within 16 ms is the burst spike (counted once);
- trace: a trace (tau 16 ms, +1 per spike, read before the jump); event when it is below 1/e;
  the first non-event spike after an event is the burst spike.
Event rate = events in the bin / (cells x bin), burst rate likewise at the burst spike's time,
burst probability = burst rate / event rate. /bursts: one row per burst with its onset (the
event's time) and spike count (the event's spike plus the following non-event spikes).
Checked: equal to the engine's output to 1e-12 (rates) and exactly (bursts, as sorted sets).
"""
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

apical, src = sys.argv[1], sys.argv[2]
N, T, BIN = 300, 1500.0, 50.0
ok = True
with tempfile.TemporaryDirectory() as d:
    for rule in ("isi", "trace"):
        out = os.path.join(d, rule + ".h5")
        subprocess.run([apical, "run", os.path.join(src, "scenarios", "multiplexing.yaml"), "-o", out, "--quiet",
                        "--set", f"populations.pyr.size={N}", "--set", f"simulation.duration={T} ms",
                        "--set", "stimuli.soma_drive.start=0 ms", "--set", "stimuli.dend_drive.start=0 ms",
                        "--set", f"recording.bursts={{populations: [pyr], rule: {rule}, threshold: 16 ms}}",
                        "--set", f"recording.rates={{populations: [pyr], bin: {BIN} ms}}"], check=True)
        with h5py.File(out, "r") as f:
            t = f["spikes/pyr/timestamps"][:]
            ids = f["spikes/pyr/node_ids"][:].astype(np.int64)
            er, br, bp = (f[f"rates/pyr/{k}"][:] for k in ("event_rate", "burst_rate", "burst_probability"))
            b = f["bursts/pyr"]
            rows = sorted(zip(b["timestamps"][:].tolist(), b["node_ids"][:].tolist(), b["spike_counts"][:].tolist()))
        ev_t, bu_t, bursts = [], [], []
        for c in range(N):
            tc = np.sort(t[ids == c])
            last, trace, onset, count = -math.inf, 0.0, None, 0
            for x in tc:
                if rule == "isi":
                    event = x - last > 16.0
                else:
                    tr = trace * math.exp(-(x - last) / 16.0) if count else 0.0
                    event = not (tr >= math.exp(-1.0))
                    trace = tr + 1.0
                last = x
                if event:
                    if count >= 2:
                        bursts.append((onset, c, count))
                    onset, count = x, 1
                    ev_t.append(x)
                else:
                    count += 1
                    if count == 2:
                        bu_t.append(x)
            if count >= 2:
                bursts.append((onset, c, count))
        n = len(er)
        edges = np.arange(n + 1) * BIN
        er_ref = np.histogram(ev_t, edges)[0] / (N * BIN / 1000.0)
        br_ref = np.histogram(bu_t, edges)[0] / (N * BIN / 1000.0)
        good = (np.allclose(er, er_ref, rtol=0, atol=1e-12) and np.allclose(br, br_ref, rtol=0, atol=1e-12)
                and np.allclose(bp[er_ref > 0], (br_ref / np.where(er_ref > 0, er_ref, 1))[er_ref > 0], atol=1e-12)
                and np.all(np.isnan(bp[er_ref == 0])) and sorted(bursts) == rows and n == int(T / BIN))
        print(f"{rule}: {len(t)} spikes, {len(ev_t)} events, {len(bu_t)} bursts, {len(rows)} /bursts rows, "
              f"{n} bins: {'match' if good else 'MISMATCH'}")
        ok = ok and good
print("burst_rates: " + ("OK" if ok else "FAILED"))
sys.exit(0 if ok else 1)
