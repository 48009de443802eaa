"""`apical export --format nwb`: the NWB 2.x layout, checked with h5py (pynwb is not
available here): required root attributes, datasets and groups; a Units table with one
unit per cell of every recorded population, spike_times in seconds (= HDF5 ms / 1000),
spike_times_index cumulative end offsets ending at len(spike_times), a `target` object
reference, population and node_id columns. Existing output refused without --force.

Args: apical binary, source dir.
"""
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

apical = sys.argv[1]
SCENARIO = """
name: export_nwb
simulation: {duration: 150 ms, dt: 0.1 ms, seed: 4}
populations:
  exc: {model: lif, size: 120, parameters: brette2007_cuba,
        initial: {v: {distribution: uniform, low: -60 mV, high: -50 mV}}}
  inh: {model: lif, size: 30, parameters: brette2007_cuba,
        initial: {v: {distribution: uniform, low: -60 mV, high: -50 mV}}}
  quiet: {model: lif, size: 5}
recording:
  spikes: all
output: {file: n.h5}
"""
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def s(v):
    return v.decode() if isinstance(v, bytes) else v


def run(*args, rc=0):
    p = subprocess.run([apical, *args], capture_output=True, text=True)
    assert p.returncode == rc, (args, p.returncode, p.stdout, p.stderr)
    return p


with tempfile.TemporaryDirectory() as d:
    scen = os.path.join(d, "s.yaml")
    open(scen, "w").write(SCENARIO)
    h5 = os.path.join(d, "n.h5")
    run("run", scen, "-o", h5, "--quiet")
    nwb = os.path.join(d, "n.nwb")
    run("export", h5, "--format", "nwb", "-o", nwb)
    assert not os.path.exists(nwb + ".partial")
    src = h5py.File(h5, "r")
    f = h5py.File(nwb, "r")

    a = f.attrs
    assert s(a["nwb_version"]) == "2.5.0" and s(a["neurodata_type"]) == "NWBFile"
    assert s(a["namespace"]) == "core" and UUID.match(s(a["object_id"])), dict(a)
    iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")
    for name in ("identifier", "session_description", "session_start_time", "timestamps_reference_time"):
        assert f[name].shape == (), name
        assert isinstance(s(f[name][()]), str) and s(f[name][()]), name
    for name in ("session_start_time", "timestamps_reference_time"):
        assert iso.match(s(f[name][()])), s(f[name][()])
    assert f["file_create_date"].shape == (1,) and iso.match(s(f["file_create_date"][0]))
    assert "export_nwb" in s(f["session_description"][()])
    for g in ("acquisition", "analysis", "processing", "stimulus/presentation", "stimulus/templates", "general"):
        assert isinstance(f[g], h5py.Group), g

    u = f["units"]
    assert s(u.attrs["neurodata_type"]) == "Units" and s(u.attrs["namespace"]) == "core"
    assert [s(c) for c in u.attrs["colnames"]] == ["spike_times", "population", "node_id"]
    assert s(u.attrs["description"])
    for name, t in (("id", "ElementIdentifiers"), ("spike_times", "VectorData"),
                    ("spike_times_index", "VectorIndex"), ("population", "VectorData"), ("node_id", "VectorData")):
        assert s(u[name].attrs["neurodata_type"]) == t, name
        assert s(u[name].attrs["namespace"]) == "hdmf-common", name
        assert UUID.match(s(u[name].attrs["object_id"])), name
        if t != "ElementIdentifiers":
            assert s(u[name].attrs["description"]), name

    # One unit per cell of every recorded population, in population then node order.
    pops = list(src["spikes"].keys())
    sizes = {p: int(src[f"spikes/{p}"].attrs["n_nodes"]) for p in pops}
    n_units = sum(sizes.values())
    ids = u["id"][()]
    assert ids.dtype.kind == "i" and np.array_equal(ids, np.arange(n_units))
    pop_col = [s(x) for x in u["population"][()]]
    node_col = u["node_id"][()]
    assert pop_col == [p for p in pops for _ in range(sizes[p])]
    assert np.array_equal(node_col, np.concatenate([np.arange(sizes[p]) for p in pops]))

    st = u["spike_times"][()]
    idx = u["spike_times_index"][()]
    assert st.dtype == np.float64 and len(idx) == n_units
    assert np.all(np.diff(idx.astype(np.int64)) >= 0) and idx[-1] == len(st)
    assert u["spike_times_index"].attrs["target"] is not None
    assert f[u["spike_times_index"].attrs["target"]].name == "/units/spike_times"

    total = 0
    for k in range(n_units):
        lo = 0 if k == 0 else int(idx[k - 1])
        hi = int(idx[k])
        p, node = pop_col[k], node_col[k]
        t = src[f"spikes/{p}/timestamps"][()]
        mine = t[src[f"spikes/{p}/node_ids"][()] == node]
        assert np.array_equal(st[lo:hi], mine / 1000.0), (p, node)
        total += hi - lo
    assert total == sum(len(src[f"spikes/{p}/timestamps"]) for p in pops) > 50, total
    # A population without spikes still has its units, each with an empty range.
    assert len(src["spikes/quiet/timestamps"]) == 0 and pop_col.count("quiet") == 5

    f.close()
    p = run("export", h5, "--format", "nwb", "-o", nwb, rc=2)
    assert "exists" in p.stderr
    run("export", h5, "--format", "nwb", "-o", nwb, "--force", "--quiet")
    p = run("export", h5, "--format", "nwb", "-o", h5, "--force", rc=2)
    assert "input file" in p.stderr and h5py.is_hdf5(h5) and "spikes" in h5py.File(h5, "r")
    bad = os.path.join(d, "bad.h5")
    open(bad, "w").write("x")
    p = run("export", bad, "--format", "nwb", "-o", os.path.join(d, "bad.nwb"), rc=2)
    assert not os.path.exists(os.path.join(d, "bad.nwb")) and not os.path.exists(os.path.join(d, "bad.nwb.partial"))
print("export nwb OK")
