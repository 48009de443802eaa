"""python/apical (the reader package) against the file it reads and against
`apical inspect --json`: spike counts and values, rates, trace shapes and times, summary.

Args: apical binary, source dir. Needs h5py + numpy; PYTHONPATH must hold <src>/python.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

apical_bin, src = sys.argv[1], sys.argv[2]
import apical  # noqa: E402  (PYTHONPATH set by the CTest)

SCENARIO = """
name: reader_test
simulation: {duration: 200 ms, dt: 0.1 ms, seed: 5}
populations:
  exc: {model: lif, size: 400, parameters: brette2007_cuba,
        initial: {v: {distribution: uniform, low: -60 mV, high: -50 mV}}}
  inh: {model: lif, size: 100, parameters: brette2007_cuba,
        initial: {v: {distribution: uniform, low: -60 mV, high: -50 mV}}}
projections:
  ei: {source: exc, target: inh, receptor: exc_current,
       connectivity: {rule: fixed_probability, p: 0.05}, weight: 16.2 pA, delay: 1 ms}
  ie: {source: inh, target: exc, receptor: inh_current,
       connectivity: {rule: fixed_probability, p: 0.05}, weight: -90 pA, delay: 1 ms}
stimuli:
  drive: {type: poisson, target: exc, receptor: exc_current, rate: 1500 Hz, weight: 30 pA}
recording:
  spikes: all
  rates: {populations: all, bin: 20 ms}
  traces:
    vm: {population: exc, variables: [v], cells: [3, 0, 7], interval: 0.5 ms}
output: {file: reader.h5}
"""

with tempfile.TemporaryDirectory() as d:
    scen = os.path.join(d, "s.yaml")
    open(scen, "w").write(SCENARIO)
    out = os.path.join(d, "r.h5")
    subprocess.run([apical_bin, "run", scen, "-o", out, "--quiet"], check=True)

    r = apical.load(out)
    f = h5py.File(out, "r")
    assert r.meta["name"] == "reader_test" and r.meta["completed"] == 1, r.meta
    assert r.meta["seed"] == 5 and r.meta["t_reached"] == 200.0
    assert r.populations == ["exc", "inh"], r.populations
    assert r.population_sizes == {"exc": 400, "inh": 100}

    # Spikes: exactly the HDF5 contents.
    total = 0
    for pop in ("exc", "inh"):
        t, ids = r.spikes[pop]
        assert np.array_equal(t, f[f"spikes/{pop}/timestamps"][()])
        assert np.array_equal(ids, f[f"spikes/{pop}/node_ids"][()])
        assert r.spikes[pop].times is t and r.spikes[pop].node_ids is ids
        total += len(t)
    assert total > 1000, f"too few spikes to test anything: {total}"

    # Summary equals `apical inspect --json`.
    js = json.loads(subprocess.run([apical_bin, "inspect", out, "--json"], check=True,
                                   capture_output=True, text=True).stdout)
    summ = apical.summary(out)
    assert [s["name"] for s in summ] == [p["name"] for p in js["populations"]]
    for s, p in zip(summ, js["populations"]):
        assert s["cells"] == p["cells"] and s["spikes"] == p["spikes"], (s, p)
        assert s["cells_with_cv"] == p["cells_with_cv"], (s, p)
        if s["name"] == "exc":
            assert s["cells_with_cv"] > 100, s  # the CV comparison must cover many cells
        assert math.isclose(s["mean_rate_hz"], p["mean_rate_hz"], rel_tol=1e-12), (s, p)
        if p["cv_isi"] is None:
            assert math.isnan(s["cv_isi"])
        else:
            assert math.isclose(s["cv_isi"], p["cv_isi"], rel_tol=1e-9, abs_tol=1e-12), (s, p)

    # Rates: 10 bins of 20 ms, bin start times, values from the file.
    for pop in ("exc", "inh"):
        q = r.rates[pop]
        assert np.array_equal(q.times, np.arange(10) * 20.0), q.times
        assert np.array_equal(q.rate, f[f"rates/{pop}/rate"][()])
        counts = np.histogram(r.spikes[pop].times, bins=np.arange(11) * 20.0)[0]
        assert np.allclose(q.rate, counts / (r.population_sizes[pop] * 0.02))

    # Traces: 400 samples every 0.5 ms, columns in the probe's cell order.
    tr = r.traces["vm"]["exc"]
    assert tr.data.shape == (400, 3), tr.data.shape
    assert np.array_equal(tr.times, np.arange(400) * 0.5)
    assert list(tr.node_ids) == [3, 0, 7] and tr.variables == ["v"] * 3 and tr.units == ["mV"] * 3
    assert np.array_equal(tr.column(0, "v"), f["report/vm/exc/data"][:, 1])
    assert np.all(tr.data <= -50.0 + 1e-4) and np.all(tr.data >= -100.0), (tr.data.min(), tr.data.max())
    assert r.bursts == {}

    # sweep_summary: the documented CSV form (header, one row per point).
    sweep = os.path.join(d, "sweep")
    os.makedirs(sweep)
    with open(os.path.join(sweep, "summary.csv"), "w") as g:
        g.write("point,weight_pA,exc_rate_hz\n0,10,1.5\n1,20,3.25\n")
    # pandas is installed by tools/setup.sh (python3-pandas): a DataFrame is returned; the
    # list-of-dicts fallback is checked by hiding pandas from the import system.
    import pandas as pd
    s = apical.sweep_summary(sweep)
    assert isinstance(s, pd.DataFrame), type(s)
    rows = s.to_dict("records")
    assert len(rows) == 2 and rows[1]["weight_pA"] == 20 and rows[1]["exc_rate_hz"] == 3.25, rows
    saved = sys.modules.get("pandas")
    sys.modules["pandas"] = None  # makes `import pandas` raise ImportError
    try:
        rows = apical.sweep_summary(sweep)
    finally:
        sys.modules["pandas"] = saved
    assert isinstance(rows, list) and rows[1]["weight_pA"] == 20 and rows[1]["exc_rate_hz"] == 3.25, rows

    # Not an Apical file: a clear ValueError.
    bad = os.path.join(d, "plain.h5")
    with h5py.File(bad, "w") as g:
        g["x"] = [1]
    try:
        apical.load(bad)
        raise AssertionError("load accepted a non-Apical file")
    except ValueError as e:
        assert "not an Apical result file" in str(e)

    # /bursts and /rates/<pop>/burst_probability are reserved (not written by runs yet):
    # added here with h5py, they load as Bursts and extra rate columns.
    import shutil
    bpath = os.path.join(d, "b.h5")
    shutil.copy(out, bpath)
    with h5py.File(bpath, "a") as g:
        g["bursts/exc/start"] = np.array([1.0, 2.5])
        g["bursts/exc/start"].attrs["units"] = "ms"
        g["bursts/exc/node_ids"] = np.array([4, 9], dtype=np.uint64)
        g["rates/exc/burst_probability"] = np.linspace(0, 1, 10)
    rb = apical.load(bpath)
    assert list(rb.bursts) == ["exc"] and np.array_equal(rb.bursts["exc"]["start"], [1.0, 2.5])
    assert rb.bursts["exc"].units == {"start": "ms"}
    assert np.array_equal(rb.extra_rates["exc"]["burst_probability"], np.linspace(0, 1, 10))

    # Plot helpers: burst_probability refuses clearly when the file has none; a raster draws.
    from apical import plot
    try:
        plot.burst_probability(r, "exc")
        raise AssertionError("burst_probability without data did not raise")
    except ValueError as e:
        assert "burst_probability" in str(e)
    # matplotlib is installed by tools/setup.sh (python3-matplotlib): the plots are tested,
    # never skipped.
    import matplotlib
    matplotlib.use("Agg")
    ax = plot.raster(r, "exc", max_cells=50)
    assert len(ax.collections) == 1
    ax = plot.burst_probability(rb, "exc")
    assert len(ax.lines) == 1
    ex = subprocess.run([sys.executable, os.path.join(src, "python/examples/summarize.py"), out],
                        check=True, capture_output=True, text=True).stdout
    assert os.path.exists(os.path.join(d, "r_raster_exc.png")), ex
    ex = subprocess.run([sys.executable, os.path.join(src, "python/examples/summarize.py"), out, "--no-plot"],
                        check=True, capture_output=True, text=True).stdout
    assert "exc" in ex and "inh" in ex, ex
print("python reader OK")
