"""The reader proper. Everything is read into numpy arrays when the file is loaded and
the file is closed again, so a Result outlives its file handle and can be pickled."""
import csv
import os
from dataclasses import dataclass, field
from typing import Dict, List, NamedTuple

import h5py
import numpy as np

SUPPORTED_MAJOR = 0  # the root `version` major this reader understands


class Spikes(NamedTuple):
    times: np.ndarray     # ms, sorted by time
    node_ids: np.ndarray  # cell index within the population


class Rates(NamedTuple):
    times: np.ndarray     # ms, bin start times
    rate: np.ndarray      # Hz per cell


@dataclass
class Trace:
    times: np.ndarray               # ms, one per row of data
    data: np.ndarray                # [n_times x n_elements]
    node_ids: np.ndarray            # cell of each column
    variables: List[str]            # variable of each column
    units: List[str]                # unit of each column

    def column(self, node_id, variable):
        """The samples of one cell's variable."""
        for k, (n, v) in enumerate(zip(self.node_ids, self.variables)):
            if n == node_id and v == variable:
                return self.data[:, k]
        raise KeyError(f"no column for cell {node_id}, variable {variable!r}")


@dataclass
class Bursts:
    """/bursts/<pop>: every 1-D dataset of the group, by name: timestamps (burst onsets, ms),
    node_ids, spike_counts (docs/output.md)."""
    columns: Dict[str, np.ndarray]
    units: Dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name):
        return self.columns[name]


@dataclass
class Result:
    path: str
    meta: dict
    populations: List[str]              # every population of the run, engine order
    population_sizes: Dict[str, int]
    spikes: Dict[str, Spikes]
    rates: Dict[str, Rates]
    traces: Dict[str, Dict[str, Trace]]  # probe -> population -> Trace
    bursts: Dict[str, Bursts]
    extra_rates: Dict[str, Dict[str, np.ndarray]] = field(default_factory=dict)  # pop -> name -> values
    # /weights/<projection>: dataset name -> values (time, sum, samples, sample_source,
    # sample_target, final_source, final_target, final_weight; docs/output.md)
    weights: Dict[str, Dict[str, np.ndarray]] = field(default_factory=dict)


def _str(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def _attr_value(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray):
        return [_attr_value(x) for x in v.tolist()] if v.dtype.kind in "OSU" else v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _time_axis(triple, n):
    start, _stop, step = (float(x) for x in triple)
    return start + step * np.arange(n)


def load(path) -> Result:
    """Reads a result file. Raises ValueError for a file that is not an Apical result."""
    path = os.fspath(path)
    with h5py.File(path, "r") as f:
        if f.attrs.get("magic") != 0x0A7A or "apical" not in f:
            raise ValueError(f"{path}: not an Apical result file (no SONATA magic or no /apical group)")
        version = [int(x) for x in f.attrs["version"]]
        if version[0] != SUPPORTED_MAJOR:
            raise ValueError(f"{path}: format version {version[0]}.{version[1]} is not supported")
        meta = {k: _attr_value(v) for k, v in f["apical"].attrs.items()}
        meta["format_version"] = version
        pops = [str(p) for p in meta.get("populations", [])]
        sizes = {p: int(n) for p, n in zip(pops, meta.get("population_sizes", []))}

        spikes = {}
        for pop, g in f.get("spikes", {}).items():
            spikes[pop] = Spikes(g["timestamps"][()], g["node_ids"][()])
            sizes.setdefault(pop, int(g.attrs["n_nodes"]))
            if pop not in pops:
                pops.append(pop)

        rates, extra = {}, {}
        for pop, g in f.get("rates", {}).items():
            rate = g["rate"][()]
            rates[pop] = Rates(_time_axis(g["time"][()], len(rate)), rate)
            # burst_rate, event_rate, burst_probability, ... share the same bins
            extra[pop] = {k: g[k][()] for k in g if k not in ("rate", "time")}

        traces = {}
        for probe, pg in f.get("report", {}).items():
            traces[probe] = {}
            for pop, g in pg.items():
                d = g["data"]
                data = d[()]
                variables = [_str(v) for v in d.attrs.get("variables", [])]
                vunits = [_str(v) for v in d.attrs.get("variable_units", [])]
                m = g["mapping"]
                cells = m["node_ids"][()]
                ptr = m["index_pointers"][()]
                elem = m["element_ids"][()]
                col_nodes = np.repeat(cells, np.diff(ptr).astype(np.int64))
                col_vars = [variables[e] if e < len(variables) else str(e) for e in elem]
                col_units = [vunits[e] if e < len(vunits) else _str(d.attrs.get("units", "")) for e in elem]
                traces[probe][pop] = Trace(_time_axis(m["time"][()], data.shape[0]), data,
                                           col_nodes, col_vars, col_units)

        bursts = {}
        for pop, g in f.get("bursts", {}).items():
            if isinstance(g, h5py.Group):
                cols = {k: v[()] for k, v in g.items() if isinstance(v, h5py.Dataset)}
                units = {k: _str(v.attrs["units"]) for k, v in g.items()
                         if isinstance(v, h5py.Dataset) and "units" in v.attrs}
                bursts[pop] = Bursts(cols, units)

        weights = {}
        for proj, g in f.get("weights", {}).items():
            if isinstance(g, h5py.Group):
                weights[proj] = {k: v[()] for k, v in g.items() if isinstance(v, h5py.Dataset)}

    return Result(path, meta, pops, sizes, spikes, rates, traces, bursts, extra, weights)


def _cv_isi(times, ids, cells):
    """Mean over cells with >= 2 ISIs of std/mean of the cell's ISIs (ddof = 0), as
    `apical inspect` computes it; (cv, cells_with_cv), cv NaN when no cell qualifies."""
    order = np.lexsort((times, ids))  # by cell, then time
    t, c = times[order], ids[order]
    cvs = []
    # One slice per cell: O(spikes) in total, however many cells.
    for seg in np.split(t, np.flatnonzero(np.diff(c)) + 1):
        isi = np.diff(seg)
        if len(isi) >= 2 and isi.mean() > 0:
            cvs.append(isi.std() / isi.mean())
    return (float(np.mean(cvs)) if cvs else float("nan")), len(cvs)


def summary(path_or_result):
    """Per population, in engine order: dict(name, cells, recorded, spikes, mean_rate_hz,
    cv_isi, cells_with_cv), the numbers of `apical inspect --json`."""
    r = path_or_result if isinstance(path_or_result, Result) else load(path_or_result)
    seconds = float(r.meta.get("t_reached", 0.0)) / 1000.0
    out = []
    for pop in r.populations:
        cells = r.population_sizes.get(pop, 0)
        row = dict(name=pop, cells=cells, recorded=pop in r.spikes, spikes=None,
                   mean_rate_hz=float("nan"), cv_isi=float("nan"), cells_with_cv=0)
        if pop in r.spikes:
            t, ids = r.spikes[pop]
            row["spikes"] = len(t)
            if cells > 0 and seconds > 0:
                row["mean_rate_hz"] = len(t) / cells / seconds
            row["cv_isi"], row["cells_with_cv"] = _cv_isi(t, ids, cells)
        out.append(row)
    return out


def _number(s):
    for conv in (int, float):
        try:
            return conv(s)
        except ValueError:
            pass
    return s


def sweep_summary(directory):
    """DIR/summary.csv of a parameter sweep (a header row, then one row per point), as a
    pandas DataFrame when pandas is importable, else a list of dicts with numbers parsed."""
    path = os.path.join(os.fspath(directory), "summary.csv")
    try:
        import pandas as pd
    except ImportError:
        with open(path, newline="") as f:
            return [{k: _number(v) for k, v in row.items()} for row in csv.DictReader(f)]
    return pd.read_csv(path)
