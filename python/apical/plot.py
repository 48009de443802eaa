"""Plots of Apical results. matplotlib is imported here, on first use, so that the reader
works on machines without it."""
import numpy as np


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots()
    return ax


def raster(result, pop, ax=None, max_cells=200, **kwargs):
    """Spike raster of population `pop`: the first `max_cells` cells (by node id), time in ms."""
    if pop not in result.spikes:
        raise KeyError(f"no spikes recorded for population {pop!r}; recorded: {sorted(result.spikes)}")
    ax = _axes(ax)
    t, ids = result.spikes[pop]
    keep = ids < max_cells if max_cells is not None else np.ones(len(ids), bool)
    kwargs.setdefault("s", 2)
    kwargs.setdefault("marker", "|")
    kwargs.setdefault("color", "k")
    ax.scatter(t[keep], ids[keep], **kwargs)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"{pop} cell")
    ax.set_xlim(0, result.meta.get("t_reached", t.max() if len(t) else 1.0))
    return ax


def burst_probability(result, pop, ax=None, **kwargs):
    """/rates/<pop>/burst_probability over time (same bins as the rate)."""
    extra = result.extra_rates.get(pop, {})
    if "burst_probability" not in extra:
        raise ValueError(f"{result.path}: no /rates/{pop}/burst_probability in this file "
                         "(it is written only when the scenario records burst rates)")
    ax = _axes(ax)
    ax.step(result.rates[pop].times, extra["burst_probability"], where="post", **kwargs)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"{pop} burst probability")
    ax.set_ylim(0, 1)
    return ax
