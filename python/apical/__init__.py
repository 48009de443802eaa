"""Reading Apical result files (the HDF5 layout of docs/output.md).

    import apical
    r = apical.load("coba.h5")
    r.meta["seed"], r.populations
    t, ids = r.spikes["exc"]            # ms, cell index within the population
    r.rates["exc"].rate                 # Hz per cell, one per bin
    tr = r.traces["vm"]["exc"]          # .times (ms), .data [time x element], .node_ids, .variables
    apical.summary("coba.h5")           # per population: cells, spikes, rate, CV of ISI

Plots are in apical.plot (matplotlib is imported only there).
"""
from .reader import (Bursts, Rates, Result, Spikes, Trace, load, summary,
                     sweep_summary)

__all__ = ["load", "summary", "sweep_summary", "Result", "Spikes", "Rates", "Trace", "Bursts"]
__version__ = "0.1.0"
