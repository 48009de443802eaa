"""`apical plot`: the HTML report of a run with spikes, rates and a trace probe; of a
hand-made file with the later record types (event/burst rates, HTM anomaly, column bursts,
weights); of a sweep directory. Checks the page is well formed, self-contained (no script,
no URL but the SVG namespace) and has one <svg data-panel=...> per expected panel; and the
exit statuses for bad input and an existing output.
"""
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import h5py
import numpy as np

apical, src = sys.argv[1], sys.argv[2]
VOID = {"meta", "br", "hr", "img", "input", "link"}


class Checker(HTMLParser):
    """Every non-void element closed in order; collects data-panel names."""

    def __init__(self):
        super().__init__()
        self.stack, self.panels, self.tags, self.errors = [], [], set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        a = dict(attrs)
        if tag == "svg":
            self.panels.append(a.get("data-panel"))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def check_page(path):
    text = open(path, encoding="utf-8").read()
    c = Checker()
    c.feed(text)
    c.close()
    assert not c.errors, c.errors[:5]
    assert not c.stack, f"unclosed: {c.stack}"
    assert "script" not in c.tags and "<script" not in text.lower(), "report has a script"
    for tag in ("link", "iframe", "img", "object", "embed"):
        assert tag not in c.tags, f"report has <{tag}>"
    urls = set(re.findall(r"https?://[^\s\"'<>)]*", text))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls
    assert "@import" not in text and "url(http" not in text
    # Each SVG is well-formed XML on its own.
    svgs = re.findall(r"<svg\b.*?</svg>", text, flags=re.S)
    assert len(svgs) == len(c.panels), (len(svgs), len(c.panels))
    for s in svgs:
        ET.fromstring(s)
    assert len(set(c.panels)) == len(c.panels), "duplicate panel names"
    return text, c.panels


def run(*args, rc=0):
    p = subprocess.run([apical, *args], capture_output=True, text=True)
    assert p.returncode == rc, (args, p.returncode, p.stdout, p.stderr)
    return p


scenario = """
name: plot_test
simulation: {duration: 300 ms, dt: 0.1 ms, seed: 4}
populations:
  exc: {model: lif, size: 300}
  inh: {model: lif, size: 20}
stimuli:
  drive: {type: poisson, target: exc, receptor: voltage, rate: 2000 Hz, weight: 0.6 mV}
  dc: {type: constant_current, target: inh, amplitude: 300 pA}
recording:
  spikes: all
  rates: {populations: [exc], bin: 10 ms}
  traces:
    vm: {population: exc, variables: [v], cells: [0, 1, 2, 3, 4, 5], interval: 0.5 ms}
output: {file: p.h5}
"""

with tempfile.TemporaryDirectory() as d:
    yml = os.path.join(d, "p.yaml")
    open(yml, "w").write(scenario)
    h5 = os.path.join(d, "p.h5")
    run("run", yml, "-o", h5, "--quiet")
    out = os.path.join(d, "r.html")
    run("plot", h5, "-o", out)
    text, panels = check_page(out)
    expected = {"raster:exc", "rate:exc", "isi:exc", "raster:inh", "rate:inh", "isi:inh", "trace:vm/exc:v"}
    assert expected <= set(panels), (expected - set(panels), panels)
    assert not any(p.startswith(("event_rate", "htm", "weights")) for p in panels), panels
    # Header facts.
    for s in ("plot_test", "t_stop 300 ms", "t_reached 300 ms", "seed", "threads", "completed", "apical version"):
        assert s in text, s
    assert "event_rate, burst_rate, burst_probability: not recorded" in text
    # inh has no /rates: its rate is computed from spikes, and the caption says so.
    assert "Computed from the spikes" in text
    assert "4 of 6 recorded cells shown" in text
    assert 'data-table="populations"' in text
    # Existing output: refused with 2 unless --force.
    before = os.path.getmtime(out)
    p = run("plot", h5, "-o", out, rc=2)
    assert "--force" in p.stderr and os.path.getmtime(out) == before
    run("plot", h5, "-o", out, "--force", "--quiet")
    size = os.path.getsize(h5)
    p = run("plot", h5, "-o", h5, "--force", rc=2)  # never overwrites its input
    assert os.path.getsize(h5) == size and "is the input" in p.stderr
    # Bad input: clean message, exit 2, nothing written.
    p = run("plot", os.path.join(src, "README.md"), "-o", os.path.join(d, "x.html"), rc=2)
    assert "HDF5-DIAG" not in p.stderr and "not an HDF5 file" in p.stderr, p.stderr
    assert not os.path.exists(os.path.join(d, "x.html"))
    run("plot", os.path.join(d, "missing.h5"), "-o", os.path.join(d, "y.html"), rc=2)
    run("plot", d, "-o", os.path.join(d, "z.html"), rc=2)  # a directory without summary.csv

    # Large population: the raster is sub-sampled and the caption says how.
    big = os.path.join(d, "big.h5")
    with h5py.File(big, "w") as f:
        f.attrs["magic"] = np.uint32(0x0A7A)
        f.attrs["version"] = np.array([0, 1], dtype=np.uint32)
        a = f.create_group("apical")
        for k, v in dict(version="test", scenario="", name="hand_made").items():
            a.attrs[k] = v
        a.attrs["seed"] = np.uint64(9)
        a.attrs["threads"] = np.int32(1)
        a.attrs["t_stop"] = a.attrs["t_reached"] = 1000.0
        a.attrs["completed"] = np.int32(1)
        a.attrs["wall_seconds"] = 0.5
        a.attrs["populations"] = ["cols"]
        a.attrs["population_sizes"] = np.array([1000], dtype=np.uint32)
        rng = np.random.default_rng(1)
        n = 120000
        t = np.sort(rng.uniform(0, 1000, n))
        ids = rng.integers(0, 1000, n).astype(np.uint64)
        g = f.create_group("spikes/cols")
        g.attrs["n_nodes"] = np.uint64(1000)
        g.create_dataset("timestamps", data=t)
        g.create_dataset("node_ids", data=ids)
        # A population missing from /apical, spikes not sorted (no `sorting` attribute, as
        # a foreign file may be) and more than the raster's point limit.
        g = f.create_group("spikes/dense")
        g.attrs["n_nodes"] = np.uint64(100)
        td = rng.uniform(0, 1000, 70000)
        g.create_dataset("timestamps", data=td)
        g.create_dataset("node_ids", data=rng.integers(0, 100, len(td)).astype(np.uint64))
        r = f.create_group("rates/cols")
        nb = 100
        r.create_dataset("rate", data=rng.uniform(0, 10, nb))
        r.create_dataset("time", data=np.array([0.0, 1000.0, 10.0]))
        for name in ("event_rate", "burst_rate", "burst_probability"):
            r.create_dataset(name, data=rng.uniform(0, 1, nb))
        h = f.create_group("htm/cols")
        h.create_dataset("anomaly", data=rng.uniform(0, 1, 500))
        h.create_dataset("time", data=np.array([0.0, 1000.0, 2.0]))
        h.create_dataset("active_columns", data=rng.uniform(0, 1, (500, 50)).astype(np.float32))
        h.create_dataset("predicted", data=rng.uniform(0, 1, (500, 50)) > 0.5)  # bool: drawn as 0/1
        h.create_dataset("labels", data=np.array([b"a", b"b"]))  # strings: noted, not drawn
        bu = f.create_group("bursts/cols")
        bu.create_dataset("timestamps", data=np.sort(rng.uniform(0, 1000, 200)))
        bu.create_dataset("node_ids", data=rng.integers(0, 1000, 200).astype(np.uint64))
        cb = f.create_group("column_bursts/cols")
        cb.create_dataset("timestamps", data=np.sort(rng.uniform(0, 1000, 300)))
        cb.create_dataset("column_ids", data=rng.integers(0, 50, 300).astype(np.uint64))
        w = f.create_group("weights")
        w.create_dataset("ee", data=rng.lognormal(0, 0.5, 2000))
        w["ee"].attrs["units"] = "nS"
        w.create_dataset("ff", data=rng.uniform(0, 1, (5, 300)))
        gw = w.create_group("fb")  # values with their source and target ids
        gw.create_dataset("source", data=np.arange(100, dtype=np.uint64))
        gw.create_dataset("target", data=np.arange(100, dtype=np.uint64))
        gw.create_dataset("weight", data=rng.uniform(0, 1, 100))
    bout = os.path.join(d, "big.html")
    run("plot", big, "-o", bout)
    text, panels = check_page(bout)
    expected = {"raster:cols", "rate:cols", "isi:cols", "event_rate:cols", "burst_rate:cols",
                "burst_probability:cols", "htm:cols/anomaly", "htm:cols/active_columns", "column_bursts:cols", "bursts:cols", "weights:ee", "weights:ff", "weights:fb"}
    assert expected <= set(panels), (expected - set(panels), panels)
    assert "not recorded" not in text.split("Population cols")[1].split("Population dense")[0]
    assert "200 of 1000 cells shown" in text, "raster sub-sampling not stated"
    assert {"raster:dense", "isi:dense", "rate:dense"} <= set(panels), panels
    cut = float(re.search(r"Only spikes before ([0-9.]+) ms are drawn", text).group(1))
    assert abs(cut - np.sort(td)[50000]) < 0.01, (cut, np.sort(td)[50000])
    assert "were sorted here" in text
    assert "htm:cols/predicted" in panels
    assert not any(p.startswith("weights:fb/") for p in panels), panels
    assert "/htm/cols/labels: not numeric, not drawn." in text, "string dataset"
    assert "block-averaged to 120 x 50" in text
    svg = re.search(r'<svg[^>]*data-panel="raster:cols".*?</svg>', text, flags=re.S).group(0)
    marks = svg.count("v")  # one 'v' (vertical tick) per drawn spike in the path
    assert marks <= 50000 + 100, marks
    assert os.path.getsize(bout) < 5_000_000

    # Sweep directory with a hand-made summary.csv (the form docs/plot.md describes).
    sw = os.path.join(d, "sweep")
    os.mkdir(sw)
    rows = ["point,g_exc [nS],rate_in [Hz],seed,status,wall_s,exc.rate_hz,exc.cv_isi,inh.rate_hz"]
    k = 0
    for g in (2.0, 4.0, 6.0):
        for rin in (5.0, 10.0):
            status = "failed" if k == 5 else "ok"
            rows.append(f"{k},{g},{rin},1,{status},{0.5 + k},{g * rin / 10},{0.8 + 0.01 * k},{g + rin}")
            k += 1
    open(os.path.join(sw, "summary.csv"), "w").write("\n".join(rows) + "\n")
    sout = os.path.join(d, "sweep.html")
    run("plot", sw, "-o", sout)
    text, panels = check_page(sout)
    assert 'data-table="sweep"' in text
    for stat in ("exc.rate_hz", "exc.cv_isi", "inh.rate_hz"):
        for par in ("g_exc [nS]", "rate_in [Hz]"):
            assert f"sweep:{stat}:{par}" in panels, (stat, par, panels)
    assert text.count('class="failed"') == 1
    # Default output name for a sweep: DIR/report.html.
    run("plot", sw, "--quiet")
    assert os.path.exists(os.path.join(sw, "report.html"))
    # A malformed CSV is a clean error.
    bad = os.path.join(d, "bad")
    os.mkdir(bad)
    open(os.path.join(bad, "summary.csv"), "w").write("a,b\n1,2\n")
    p = run("plot", bad, "-o", os.path.join(d, "b.html"), rc=2)
    assert "point" in p.stderr, p.stderr
print("plot report OK")
