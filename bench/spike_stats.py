"""Spike-train statistics used for both peers of the benchmark (Brian2 and Apical), so the two
are summarised by the same code.

mean_rate_hz = spikes / (cells * duration)
cv_isi       = mean over cells with >= 3 spikes of std(ISI) / mean(ISI) (ddof = 0)
late_rate_hz = population rate over the last 10 % of the run (is the activity still alive?)
"""
import numpy as np


def spike_stats(i, t, n_cells, duration_s):
    """i: cell indices, t: spike times in s. Returns (spikes, mean_rate_hz, cv_isi, cells_with_cv)."""
    i = np.asarray(i, dtype=np.int64)
    t = np.asarray(t, dtype=np.float64)
    spikes = int(i.size)
    rate = spikes / (n_cells * duration_s) if duration_s > 0 and n_cells > 0 else float("nan")
    cvs = []
    if spikes:
        order = np.lexsort((t, i))
        i, t = i[order], t[order]
        bounds = np.flatnonzero(np.diff(i)) + 1
        for ts in np.split(t, bounds):
            if ts.size >= 3:
                isi = np.diff(ts)
                m = isi.mean()
                if m > 0:
                    cvs.append(isi.std() / m)
    cv = float(np.mean(cvs)) if cvs else float("nan")
    return spikes, rate, cv, len(cvs)


def late_rate(t, n_cells, duration_s, fraction=0.1):
    t = np.asarray(t, dtype=np.float64)
    t0 = duration_s * (1.0 - fraction)
    window = duration_s - t0
    if window <= 0 or n_cells <= 0:
        return float("nan")
    return float(np.count_nonzero(t >= t0)) / (n_cells * window)


def burst_stats(i, t, n_cells, duration_s, gap_s=0.016):
    """Events and bursts by the 16 ms rule of the burst-multiplexing analysis scripts (shared
    reference): a spike whose gap to the same cell's previous spike exceeds gap_s (or the cell's
    first spike) starts an EVENT; an event followed by another spike within gap_s of the previous
    one is a BURST (all its spikes, up to the next gap > gap_s, belong to the burst).
    Returns a dict: events, bursts, event_rate_hz, burst_rate_hz, burst_probability
    (bursts / events) and burst_spike_fraction (spikes in bursts / spikes)."""
    i = np.asarray(i, dtype=np.int64)
    t = np.asarray(t, dtype=np.float64)
    out = {"events": 0, "bursts": 0, "event_rate_hz": float("nan"), "burst_rate_hz": float("nan"),
           "burst_probability": float("nan"), "burst_spike_fraction": float("nan")}
    if i.size == 0 or n_cells <= 0 or duration_s <= 0:
        return out
    order = np.lexsort((t, i))
    i, t = i[order], t[order]
    new_cell = np.ones(i.size, dtype=bool)
    new_cell[1:] = i[1:] != i[:-1]
    gap = np.full(i.size, np.inf)
    gap[1:] = np.diff(t)
    gap[new_cell] = np.inf
    # tiny tolerance: spike times on a 0.1 ms grid, stored as floats
    starts = gap > gap_s + 1e-9
    ev_id = np.cumsum(starts) - 1                 # event index of every spike
    sizes = np.bincount(ev_id)                    # spikes per event
    events = int(sizes.size)
    bursts = int(np.count_nonzero(sizes >= 2))
    norm = n_cells * duration_s
    out.update(events=events, bursts=bursts, event_rate_hz=events / norm, burst_rate_hz=bursts / norm,
               burst_probability=bursts / events if events else float("nan"),
               burst_spike_fraction=float(sizes[sizes >= 2].sum()) / i.size)
    return out
