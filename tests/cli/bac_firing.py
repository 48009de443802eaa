"""BAC firing (scenarios/bac_firing.yaml): the l5_3c cell under the Hay et al. 2011 protocol.

Expected (shared reference, BAC firing; Larkum et al. 1999): somatic pulse alone -> one spike;
distal EPSP alone -> no spike; both with the distal onset a few ms after the pulse -> a burst
(>= 2 spikes, ISIs < 16 ms, the trace rule's 16 ms) with an apical plateau (v_apical above
-20 mV); the pair with a long offset -> one spike; distal inhibition during the pairing -> no
burst. Then the distal onset is swept relative to the somatic pulse; the coincidence window
(offsets that give a burst) is reported and must contain +5 ms and exclude +30 ms and -10 ms.
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

apical, src = sys.argv[1], sys.argv[2]
scenario = os.path.join(src, "scenarios", "bac_firing.yaml")


def run(out, *sets):
    cmd = [apical, "run", scenario, "-o", out, "--quiet", "--force"]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True)
    f = h5py.File(out, "r")
    t, n = f["spikes/pyr/timestamps"][:], f["spikes/pyr/node_ids"][:]
    trains = [np.sort(t[n == c]) for c in range(5)]
    v = f["report/bac/pyr/data"][:]
    f.close()
    return trains, v


def is_burst(train):
    return len(train) >= 2 and np.all(np.diff(train) < 16.0)


with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "bac.h5")
    trains, v = run(out)
    for c, tr in enumerate(trains):
        print(f"cell {c}: spikes at {np.round(tr, 2).tolist()} ms")
    apical_max = v[:, 1::3].max(axis=0)
    print("max v_apical per cell (mV):", np.round(apical_max, 1).tolist())
    assert len(trains[0]) == 1, "somatic pulse alone must give exactly one spike"
    assert len(trains[1]) == 0, "subthreshold distal input alone must give no spike"
    assert is_burst(trains[2]), "paired input must give a burst (>= 2 spikes, ISIs < 16 ms)"
    assert apical_max[2] > -20.0 and apical_max[0] < -30.0 and apical_max[1] < -30.0, "plateau only when paired"
    assert len(trains[3]) == 1, "the pair with a 60 ms offset must give one spike"
    assert not is_burst(trains[4]) and len(trains[4]) == 1, "distal inhibition must block the burst"
    assert apical_max[4] < -30.0, "distal inhibition must block the plateau"

    # Coincidence window: distal onset relative to the somatic pulse onset (20 ms).
    window = []
    for off in [-10, -6, -4, -2, 0, 2, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30]:
        trains, _ = run(out, f"stimuli.distal.start={20 + off} ms")
        burst = is_burst(trains[2])
        print(f"offset {off:+3d} ms: {len(trains[2])} spikes{' (burst)' if burst else ''}")
        if burst:
            window.append(off)
    print(f"coincidence window: bursts for distal onsets {min(window)} .. {max(window)} ms after the "
          f"somatic pulse onset (spike at ~{trains[0][0] - 20.0:.1f} ms)")
    assert 5 in window and 30 not in window and -10 not in window, window
print("BAC firing: OK")
