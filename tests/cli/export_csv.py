"""`apical export --format csv`: every table round-trips the HDF5 values exactly (spike
counts per population, spike times and ids, rates, traces), headers carry units, an
existing file is refused without --force (exit 2, nothing touched), a bad input file is a
clean error with exit 2.

Args: apical binary, source dir.
"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

apical = sys.argv[1]
SCENARIO = """
name: export_csv
simulation: {duration: 150 ms, dt: 0.1 ms, seed: 2}
populations:
  exc: {model: lif, size: 200, parameters: brette2007_cuba,
        initial: {v: {distribution: uniform, low: -60 mV, high: -50 mV}}}
  inh: {model: lif, size: 50, parameters: brette2007_cuba,
        initial: {v: {distribution: uniform, low: -60 mV, high: -50 mV}}}
projections:
  ie: {source: inh, target: exc, receptor: inh_current,
       connectivity: {rule: fixed_probability, p: 0.05}, weight: -90 pA, delay: 1 ms}
recording:
  spikes: all
  rates: {populations: [exc], bin: 10 ms}
  traces:
    vm: {population: inh, variables: [v, i_exc], cells: [4, 1], interval: 1 ms}
output: {file: e.h5}
"""


def run(*args, rc=0):
    p = subprocess.run([apical, *args], capture_output=True, text=True)
    assert p.returncode == rc, (args, p.returncode, p.stdout, p.stderr)
    return p


def rows(path):
    with open(path, newline="") as f:
        r = list(csv.reader(f))
    return r[0], r[1:]


with tempfile.TemporaryDirectory() as d:
    scen = os.path.join(d, "s.yaml")
    open(scen, "w").write(SCENARIO)
    h5 = os.path.join(d, "e.h5")
    run("run", scen, "-o", h5, "--quiet")
    f = h5py.File(h5, "r")
    out = os.path.join(d, "csv", "nested")  # created, parents too
    run("export", h5, "--format", "csv", "-o", out)
    files = sorted(os.listdir(out))
    assert files == ["metadata.csv", "rates_exc.csv", "spikes_exc.csv", "spikes_inh.csv",
                     "trace_vm_inh.csv"], files

    total = 0
    for pop in ("exc", "inh"):
        head, body = rows(os.path.join(out, f"spikes_{pop}.csv"))
        assert head == ["time_ms", "node_id"], head
        t = np.array([float(x[0]) for x in body])
        ids = np.array([int(x[1]) for x in body], dtype=np.uint64)
        assert len(t) == len(f[f"spikes/{pop}/timestamps"])
        assert np.array_equal(t, f[f"spikes/{pop}/timestamps"][()])
        assert np.array_equal(ids, f[f"spikes/{pop}/node_ids"][()])
        total += len(t)
    assert total > 50, total

    head, body = rows(os.path.join(out, "rates_exc.csv"))
    assert head == ["time_ms", "rate_hz"]
    assert [float(x[0]) for x in body] == [10.0 * i for i in range(15)]
    assert np.array_equal(np.array([float(x[1]) for x in body]), f["rates/exc/rate"][()])

    head, body = rows(os.path.join(out, "trace_vm_inh.csv"))
    assert head == ["time_ms", "4_v[mV]", "4_i_exc[pA]", "1_v[mV]", "1_i_exc[pA]"], head
    data = f["report/vm/inh/data"][()]
    assert len(body) == data.shape[0] == 150
    assert [float(x[0]) for x in body] == [float(i) for i in range(150)]
    got = np.array([[float(v) for v in x[1:]] for x in body], dtype=np.float32)
    assert np.array_equal(got, data)

    head, body = rows(os.path.join(out, "metadata.csv"))
    meta = dict(body)
    assert head == ["key", "value"]
    assert meta["name"] == "export_csv" and meta["seed"] == "2" and meta["completed"] == "1"
    assert meta["t_reached_ms"] == "150" and meta["populations"] == "exc;inh"
    assert meta["population_sizes"] == "200;50"
    assert "brette2007_cuba" in meta["scenario"]  # multi-line YAML, quoted

    # Existing files: refused without --force, exit 2, nothing rewritten.
    before = os.path.getmtime(os.path.join(out, "metadata.csv"))
    open(os.path.join(out, "spikes_exc.csv"), "w").write("sentinel\n")
    p = run("export", h5, "--format", "csv", "-o", out, rc=2)
    assert "exists" in p.stderr and "--force" in p.stderr, p.stderr
    assert open(os.path.join(out, "spikes_exc.csv")).read() == "sentinel\n"
    assert os.path.getmtime(os.path.join(out, "metadata.csv")) == before
    run("export", h5, "--format", "csv", "-o", out, "--force", "--quiet")
    assert open(os.path.join(out, "spikes_exc.csv")).readline() == "time_ms,node_id\n"
    # Other files in DIR are left alone.
    open(os.path.join(d, "csv", "keep.txt"), "w").write("x")
    run("export", h5, "-o", os.path.join(d, "csv"), "--quiet")
    assert open(os.path.join(d, "csv", "keep.txt")).read() == "x"

    # /bursts/<pop> (reserved in docs/output.md, not written by runs yet) is exported
    # generically: one column per 1-D dataset of the group, units in brackets.
    shutil.copy(h5, os.path.join(d, "b.h5"))
    with h5py.File(os.path.join(d, "b.h5"), "a") as g:
        b = g.create_group("bursts/exc")
        b["start"] = np.array([1.5, 20.25, 33.0])
        b["start"].attrs["units"] = "ms"
        b["node_ids"] = np.array([3, 7, 3], dtype=np.uint64)
        b["n_spikes"] = np.array([2, 4, 3], dtype=np.uint32)
    bo = os.path.join(d, "bcsv")
    run("export", os.path.join(d, "b.h5"), "-o", bo, "--quiet")
    head, body = rows(os.path.join(bo, "bursts_exc.csv"))
    assert head == ["n_spikes", "node_ids", "start[ms]"], head
    assert body == [["2", "3", "1.5"], ["4", "7", "20.25"], ["3", "3", "33"]], body

    # Bad input: missing file, not HDF5, HDF5 but not Apical -> one line, exit 2.
    notes = os.path.join(d, "notes.h5")
    open(notes, "w").write("not hdf5")
    plain = os.path.join(d, "plain.h5")
    with h5py.File(plain, "w") as g:
        g["x"] = [1]
    for bad in (os.path.join(d, "missing.h5"), notes, plain):
        p = run("export", bad, "--format", "csv", "-o", os.path.join(d, "badout"), rc=2)
        assert p.stderr.startswith("apical export: ") and p.stderr.count("\n") == 1, p.stderr
        assert not os.path.exists(os.path.join(d, "badout"))
    run("export", h5, "--format", "xml", "-o", os.path.join(d, "x"), rc=2)
print("export csv OK")
