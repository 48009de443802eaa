#!/usr/bin/env python3
"""Check an Apical result file against the SONATA/Apical layout (docs/output.md).

usage: check_sonata_layout.py FILE [--allow-incomplete]

Exits 0 when the file conforms; otherwise prints every violation found (one per line,
prefixed with the file and object) and exits 1. Exit 2: usage error or unreadable file.
--allow-incomplete accepts /apical completed = 0 (a .partial file or an interrupted run).
"""
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:  # pragma: no cover
    print(f"check_sonata_layout.py: needs h5py and numpy ({e})", file=sys.stderr)
    sys.exit(2)

SORTING = {"none": 0, "by_id": 1, "by_time": 2}


class Checker:
    def __init__(self, path):
        self.path = path
        self.errors = []

    def fail(self, obj, msg):
        self.errors.append(f"{self.path}: {obj}: {msg}")

    def attr(self, obj, name, dtype=None, shape=None):
        """The attribute's value, or None after recording a violation."""
        if name not in obj.attrs:
            self.fail(obj.name, f"missing attribute '{name}'")
            return None
        v = obj.attrs[name]
        if dtype is not None:
            got = obj.attrs.get_id(name).dtype
            if got != np.dtype(dtype):
                self.fail(obj.name, f"attribute '{name}' has dtype {got}, expected {np.dtype(dtype)}")
        if shape is not None and np.shape(v) != shape:
            self.fail(obj.name, f"attribute '{name}' has shape {np.shape(v)}, expected {shape}")
        return v

    def string_attr(self, obj, name):
        v = self.attr(obj, name)
        if v is None:
            return None
        if isinstance(v, bytes):
            v = v.decode()
        if not isinstance(v, str):
            self.fail(obj.name, f"attribute '{name}' is not a string")
            return None
        return v

    def dataset(self, group, name, dtype, ndim):
        if name not in group or not isinstance(group[name], h5py.Dataset):
            self.fail(group.name, f"missing dataset '{name}'")
            return None
        d = group[name]
        if d.dtype != np.dtype(dtype):
            self.fail(d.name, f"dtype {d.dtype}, expected {np.dtype(dtype)}")
        if d.ndim != ndim:
            self.fail(d.name, f"{d.ndim} dimensions, expected {ndim}")
            return None
        return d

    def time_triple(self, d, n_steps):
        """[start, stop, step] with stop = start + n_steps * step (right-open)."""
        if d is None:
            return
        t = d[()]
        if t.shape != (3,):
            self.fail(d.name, f"shape {t.shape}, expected (3,) = [start, stop, step]")
            return
        start, stop, step = (float(x) for x in t)
        if not step > 0:
            self.fail(d.name, f"step {step} must be > 0")
        elif not np.isclose(stop, start + n_steps * step, rtol=1e-12, atol=1e-9):
            self.fail(d.name, f"stop {stop} != start + {n_steps} * step = {start + n_steps * step}")

    def check(self, allow_incomplete):
        try:
            f = h5py.File(self.path, "r")
        except OSError as e:
            print(f"{self.path}: cannot open as HDF5 ({e})", file=sys.stderr)
            sys.exit(2)
        with f:
            self.check_root(f)
            t_reached = self.check_apical(f, allow_incomplete)
            if "spikes" in f:
                for pop, g in f["spikes"].items():
                    self.check_spikes(g, t_reached)
            if "report" in f:
                for probe, pg in f["report"].items():
                    for pop, g in pg.items():
                        self.check_report(g)
            if "rates" in f:
                for pop, g in f["rates"].items():
                    self.check_rates(g, t_reached)
        return self.errors

    def check_root(self, f):
        magic = self.attr(f, "magic", "uint32", ())
        if magic is not None and int(magic) != 0x0A7A:
            self.fail("/", f"magic is {int(magic):#x}, expected 0xa7a")
        version = self.attr(f, "version", "uint32", (2,))
        if version is not None and np.shape(version) == (2,) and list(version) != [0, 1]:
            self.fail("/", f"version is {list(version)}, expected [0, 1]")

    def check_apical(self, f, allow_incomplete):
        if "apical" not in f:
            self.fail("/", "missing group /apical")
            return None
        a = f["apical"]
        for name in ("version", "scenario", "name"):
            self.string_attr(a, name)
        self.attr(a, "seed", "uint64", ())
        self.attr(a, "threads", "int32", ())
        t_stop = self.attr(a, "t_stop", "float64", ())
        t_reached = self.attr(a, "t_reached", "float64", ())
        self.attr(a, "wall_seconds", "float64", ())
        completed = self.attr(a, "completed", "int32", ())
        if completed is not None:
            if int(completed) not in (0, 1):
                self.fail(a.name, f"completed is {int(completed)}, expected 0 or 1")
            elif int(completed) == 0 and not allow_incomplete:
                self.fail(a.name, "completed = 0: the run did not finish (use --allow-incomplete to accept)")
        if t_stop is not None and t_reached is not None and t_reached > t_stop * (1 + 1e-12) + 1e-9:
            self.fail(a.name, f"t_reached {t_reached} > t_stop {t_stop}")
        return None if t_reached is None else float(t_reached)

    def check_spikes(self, g, t_reached):
        if not isinstance(g, h5py.Group):
            self.fail(g.name, "expected a group")
            return
        sorting = self.attr(g, "sorting")
        if sorting is not None:
            dt = g.attrs.get_id("sorting").dtype
            mapping = h5py.check_enum_dtype(dt)
            if mapping is None:
                self.fail(g.name, f"attribute 'sorting' is {dt}, expected an HDF5 enum over uint8")
            else:
                if dt != np.dtype("uint8"):
                    self.fail(g.name, f"'sorting' enum base type is {dt}, expected uint8")
                if dict(mapping) != SORTING:
                    self.fail(g.name, f"'sorting' enum members {dict(mapping)}, expected {SORTING}")
                if int(sorting) != SORTING["by_time"]:
                    self.fail(g.name, f"'sorting' is {int(sorting)}, expected by_time (2)")
        n_nodes = self.attr(g, "n_nodes", "uint64", ())
        ts = self.dataset(g, "timestamps", "float64", 1)
        ids = self.dataset(g, "node_ids", "uint64", 1)
        if ts is not None:
            units = self.string_attr(ts, "units")
            if units is not None and units != "ms":
                self.fail(ts.name, f"units '{units}', expected 'ms'")
        if ts is None or ids is None:
            return
        if ts.shape != ids.shape:
            self.fail(g.name, f"timestamps {ts.shape} and node_ids {ids.shape} differ in length")
            return
        t = ts[()]
        i = ids[()]
        if not np.all(np.isfinite(t)):
            self.fail(ts.name, "non-finite times")
        if t.size > 1 and not np.all(np.diff(t) >= 0):
            k = int(np.argmax(np.diff(t) < 0))
            self.fail(ts.name, f"not sorted by time (index {k + 1}: {t[k + 1]} after {t[k]})")
        if t.size and t.min() < 0:
            self.fail(ts.name, f"negative time {t.min()}")
        if t.size and t_reached is not None and t.max() > t_reached:
            self.fail(ts.name, f"spike at {t.max()} ms after t_reached {t_reached}")
        if n_nodes is not None and i.size and int(i.max()) >= int(n_nodes):
            self.fail(ids.name, f"node id {int(i.max())} >= n_nodes {int(n_nodes)}")

    def check_report(self, g):
        data = self.dataset(g, "data", "float32", 2)
        if data is not None:
            self.string_attr(data, "units")
        if "mapping" not in g:
            self.fail(g.name, "missing group 'mapping'")
            return
        m = g["mapping"]
        nodes = self.dataset(m, "node_ids", "uint64", 1)
        ip = self.dataset(m, "index_pointers", "uint64", 1)
        el = self.dataset(m, "element_ids", "uint32", 1)
        time = self.dataset(m, "time", "float64", 1)
        if data is None or nodes is None or ip is None or el is None:
            return
        n_times, n_el = data.shape
        p = ip[()].astype(np.int64)
        if p.size != nodes.size + 1:
            self.fail(ip.name, f"{p.size} entries for {nodes.size} nodes, expected {nodes.size + 1}")
        elif p[0] != 0 or p[-1] != n_el or np.any(np.diff(p) < 0):
            self.fail(ip.name, f"must rise from 0 to n_elements {n_el}, got {p.tolist()}")
        if el.size != n_el:
            self.fail(el.name, f"{el.size} element ids for {n_el} data columns")
        if "variables" in data.attrs:
            n_vars = len(data.attrs["variables"])
            if el.size and int(el[()].max()) >= n_vars:
                self.fail(el.name, f"element id {int(el[()].max())} >= number of variables {n_vars}")
            if "variable_units" in data.attrs and len(data.attrs["variable_units"]) != n_vars:
                self.fail(data.name, "'variable_units' and 'variables' differ in length")
        self.time_triple(time, n_times)

    def check_rates(self, g, t_reached):
        rate = self.dataset(g, "rate", "float64", 1)
        time = g.get("time")
        if time is None:
            self.fail(g.name, "missing 'time' dataset [start, stop, step]")
        elif rate is not None:
            self.time_triple(time, rate.shape[0])
            if t_reached is not None and time.shape == (3,) and time[1] > t_reached * (1 + 1e-12) + 1e-9:
                self.fail(time.name, f"last bin ends at {time[1]} ms, after t_reached {t_reached}")
        if rate is not None:
            r = rate[()]
            if np.any(r[np.isfinite(r)] < 0):
                self.fail(rate.name, "negative rate")


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = [a for a in argv[1:] if a.startswith("--")]
    if len(args) != 1 or any(f != "--allow-incomplete" for f in flags):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    errors = Checker(args[0]).check("--allow-incomplete" in flags)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"{args[0]}: {len(errors)} layout violation(s)", file=sys.stderr)
        return 1
    print(f"{args[0]}: layout OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
