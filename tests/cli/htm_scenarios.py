"""The HTM scenarios do what they claim.

scenarios/htm_anomaly.yaml (sine with an injected out-of-range stretch at rows 450-459):
the raw anomaly is high at the start, drops after learning, and jumps at the injected
rows; the likelihood saturates there and not before. `apical export --format csv` writes
anomaly_detector.csv with `timestamp,value,anomaly_score` for every input row, timestamps
as in the input CSV.
scenarios/htm_mixed.yaml (spiking layer -> htm -> spiking readout): htm cells spike only
at step times, column bursts fall as the cycle is learned, the readout fires, and the run
is identical with 1 and 2 threads.

Args: apical binary, source dir.
"""
import csv
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

apical, src = sys.argv[1], sys.argv[2]
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def run(*args):
    p = subprocess.run([apical, *args], capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stdout, p.stderr)
        sys.exit(1)


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "a.h5")
    run("run", os.path.join(src, "scenarios/htm_anomaly.yaml"), "-o", out, "--quiet")
    with h5py.File(out, "r") as f:
        g = f["/htm/detector"]
        a = g["anomaly"][()]
        lik = g["anomaly_likelihood"][()]
        t = g["timestamps"][()]
        check(len(a) == 600, f"one step per CSV row: {len(a)} != 600")
        check(np.allclose(t, np.arange(600) * 1.0), "steps at k x step_interval")
        early, learned, injected = a[:20].mean(), a[300:450].mean(), a[450:460].mean()
        print(f"raw anomaly: rows 0-19 {early:.3f}, 300-449 {learned:.3f}, injected 450-459 {injected:.3f}")
        check(early > 0.8, f"unlearned input is anomalous: {early}")
        check(learned < 0.3, f"anomaly drops after learning: {learned}")
        check(injected > 0.5 and injected > 2 * learned, f"anomaly jumps at the injected rows: {injected}")
        check(lik[450:465].max() > 0.99, f"likelihood saturates at the anomaly: {lik[450:465].max()}")
        check(lik[300:450].max() < lik[450:465].max(), "likelihood is highest at the anomaly")
        cb = f["/column_bursts/detector/timestamps"][()]
        check(len(cb) > 0 and np.all(np.diff(cb) >= 0), "column bursts recorded in time order")

    exp = os.path.join(tmp, "csv")
    run("export", out, "--format", "csv", "-o", exp)
    with open(os.path.join(exp, "anomaly_detector.csv")) as fh:
        rows = list(csv.reader(fh))
    with open(os.path.join(src, "scenarios/data/sine_anomaly.csv")) as fh:
        inp = list(csv.reader(fh))
    check(rows[0] == ["timestamp", "value", "anomaly_score"], f"header {rows[0]}")
    check(len(rows) == len(inp), f"{len(rows) - 1} exported rows for {len(inp) - 1} input rows")
    for r, i in zip(rows[1:], inp[1:]):
        if r[0] != i[0] or float(r[1]) != float(i[1]):
            check(False, f"row {r} does not match input {i}")
            break
    check(all(abs(float(r[2]) - x) < 1e-12 for r, x in zip(rows[1:], a)), "anomaly_score = /htm/detector/anomaly")

    spikes = {}
    for threads in ("1", "2"):
        out = os.path.join(tmp, f"m{threads}.h5")
        run("run", os.path.join(src, "scenarios/htm_mixed.yaml"), "-o", out, "--quiet", "--threads", threads)
        with h5py.File(out, "r") as f:
            spikes[threads] = {p: (f[f"/spikes/{p}/timestamps"][()], f[f"/spikes/{p}/node_ids"][()])
                               for p in ("pyr", "columns", "readout")}
            cb = f["/column_bursts/columns/timestamps"][()]
    ht, hid = spikes["1"]["columns"]
    check(len(ht) > 0, "htm cells spike")
    check(np.allclose(ht / 10.0, np.round(ht / 10.0)), "htm spikes only at multiples of step_interval (10 ms)")
    check(hid.max() < 512, "htm node ids within columns x cells_per_column")
    first, last = np.sum(cb < 300), np.sum(cb >= 700)
    print(f"column bursts: first 300 ms {first}, last 300 ms {last}")
    check(last < first / 2, "column bursts fall as the cycle is learned")
    check(len(spikes["1"]["readout"][0]) > 0, "the readout driven by htm cells fires")
    for p in ("pyr", "columns", "readout"):
        for k in (0, 1):
            check(np.array_equal(spikes["1"][p][k], spikes["2"][p][k]), f"{p}: same spikes with 1 and 2 threads")

sys.exit(1 if failures else 0)
