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
