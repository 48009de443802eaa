"""Checkpoints of the spike hooks and of HTM layers (docs/checkpoint.md): a run restarted from
a checkpoint continues, bit for bit and with another thread count, what the uninterrupted
run does after the checkpoint time, for
  - a reduced Fig. 3 microcircuit (trace burst rule, short-term plasticity on most projections),
  - a network with `transmit: bursts` / `transmit: events`, STP, the isi burst rule and an
    STDP projection,
  - scenarios/plasticity_dendritic_gate.yaml (payeur2021, learning from the start),
  - scenarios/plasticity_pairing.yaml (payeur2021 on paired LIF cells and a Poisson set),
  - scenarios/htm_anomaly.yaml (CSV input, spatial pooler, temporal memory, likelihood),
  - scenarios/htm_mixed.yaml (spike input binned into HTM steps, HTM cells driving LIF cells).
Compared after the checkpoint time: spikes (the run cut at the checkpoint followed by the
restarted run equals the uninterrupted run), bursts (also those open at the checkpoint),
rates (bins aligned with the checkpoint), weight samples and final weights, HTM records."""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from cli_checks import Checks  # noqa: E402

apical, src = sys.argv[1], os.path.abspath(sys.argv[2])
tmp = tempfile.mkdtemp(prefix="apical_ckhooks_")
checks = Checks(apical)
check, run, failures = checks.check, checks.run, checks.failures


def read(path):
    """Every dataset of the file, by path, plus the /apical attributes."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
        f.visititems(visit)
        attrs = dict(f["apical"].attrs)
    return out, attrs


def groups(d, top):
    """Names of the groups directly under /top that hold datasets."""
    return sorted({k.split("/")[1] for k in d if k.startswith(top + "/") and k.count("/") >= 2})


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        return np.array_equal(a, b, equal_nan=True)
    return np.array_equal(a, b)


def compare(label, full, cut, rs, t0, min_spikes=50, need_open_burst=False):
    F, _ = read(full)
    C, _ = read(cut)
    R, ra = read(rs)
    check(abs(ra["t_start"] - t0) < 1e-9, f"{label}: t_start {ra['t_start']} != checkpoint time {t0}")
    check(ra["completed"] == 1, f"{label}: restarted run not completed")
    checked = []

    # Spikes: cut + restarted == uninterrupted, in the same order.
    total = 0
    for p in groups(F, "spikes"):
        ts, ns = f"spikes/{p}/timestamps", f"spikes/{p}/node_ids"
        jt = np.concatenate([C[ts], R[ts]])
        jn = np.concatenate([C[ns], R[ns]])
        check(same(F[ts], jt) and same(F[ns], jn),
              f"{label}: spikes of {p}: {C[ts].size} before + {R[ts].size} after the restart, {F[ts].size} "
              "uninterrupted" + (" (same count, different values)" if F[ts].size == jt.size else ""))
        check(np.all(R[ts] >= t0), f"{label}: spikes of {p} before the checkpoint time in the restarted file")
        total += R[ts].size
    if min_spikes:
        check(total > min_spikes, f"{label}: too few spikes after the checkpoint ({total})")
        checked.append(f"{total} spikes")

    # Bursts are written when they end. The restarted file holds those ending after the
    # checkpoint, i.e. the last rows of the uninterrupted file; the cut run's file holds the
    # rows before them, then (written at its end) the bursts still open at the checkpoint:
    # exactly the restarted file's bursts with an onset before the checkpoint.
    open_bursts = 0
    for p in groups(F, "bursts"):
        keys = [f"bursts/{p}/{k}" for k in ("timestamps", "node_ids", "spike_counts")]
        n = R[keys[0]].size
        head = F[keys[0]].size - n
        if not check(head >= 0, f"{label}: bursts of {p}: more after the restart ({n}) than in the whole run"):
            continue
        check(all(same(F[k][head:], R[k]) for k in keys),
              f"{label}: bursts of {p} after the checkpoint differ from the uninterrupted run's")
        check(all(same(F[k][:head], C[k][:head]) for k in keys),
              f"{label}: bursts of {p} before the checkpoint differ between the cut and the uninterrupted run")
        # Bursts open at the checkpoint (two spikes or more): the cut run writes them, cut
        # short, at its end; the restarted run continues them. (Its bursts with an onset
        # before the checkpoint also include those that had only their first spike then.)
        cut_open = {(t, c): n for t, c, n in zip(C[keys[0]][head:], C[keys[1]][head:], C[keys[2]][head:])}
        was_open = R[keys[0]] < t0
        rs_open = {(t, c): n for t, c, n in zip(R[keys[0]][was_open], R[keys[1]][was_open], R[keys[2]][was_open])}
        check(set(cut_open) <= set(rs_open) and all(rs_open[k] >= n for k, n in cut_open.items()),
              f"{label}: bursts of {p} open at the checkpoint ({len(cut_open)}) are not all continued by the "
              f"restarted run")
        grown = sum(rs_open[k] > n for k, n in cut_open.items() if k in rs_open)
        open_bursts += len(cut_open)
        checked.append(f"{p}: {n} bursts ({len(cut_open)} open at the checkpoint, {grown} of them grew after it)")
    if need_open_burst:
        check(open_bursts > 0, f"{label}: no burst open at the checkpoint: the test proves little")

    # Rates: with the checkpoint on a bin boundary, the restarted bins are the later bins,
    # except that a spike stamped exactly at the checkpoint time (at the end of the last step
    # before it) was reported by the first run and counts in the first bin of the
    # uninterrupted run only (docs/checkpoint.md).
    for p in groups(F, "rates"):
        step = F[f"rates/{p}/time"][2] if F[f"rates/{p}/time"].size == 3 else None
        if step is None or abs(round(t0 / step) * step - t0) > 1e-9:
            continue
        k0 = int(round(t0 / step))
        for k in ("rate", "event_rate", "burst_rate", "burst_probability"):
            key = f"rates/{p}/{k}"
            if key in F:
                check(same(F[key][k0 + 1:], R[key][1:]), f"{label}: {key} after the checkpoint differs")
        ts = f"spikes/{p}/timestamps"
        if ts in C:
            at_t0 = np.count_nonzero(C[ts] >= t0)
            first_full = np.count_nonzero((F[ts] >= t0) & (F[ts] < t0 + step))
            first_rs = np.count_nonzero(R[ts] < t0 + step)
            check(first_full == first_rs + at_t0, f"{label}: spikes of {p} in the first bin after the checkpoint")
            if first_rs > 0:
                check(abs(F[f"rates/{p}/rate"][k0] / R[f"rates/{p}/rate"][0] - first_full / first_rs) < 1e-12,
                      f"{label}: rates/{p}/rate in the first bin after the checkpoint")
        checked.append(f"rates of {p}")

    # Weights: samples after the checkpoint, and the final weights.
    for pr in groups(F, "weights"):
        g = f"weights/{pr}/"
        after = F[g + "time"] > t0 + 1e-9
        check(same(F[g + "time"][after], R[g + "time"]) and same(F[g + "sum"][after], R[g + "sum"]),
              f"{label}: weight sums of {pr} after the checkpoint differ")
        if g + "samples" in F:
            check(same(F[g + "samples"][after], R[g + "samples"]), f"{label}: weight samples of {pr} differ")
        for k in ("final_source", "final_target", "final_weight"):
            check(same(F[g + k], R[g + k]), f"{label}: {g + k} differs")
        before = F[g + "sum"][~after]
        check(before.size > 0 and np.any(F[g + "sum"][after] != before[-1]),
              f"{label}: the weights of {pr} do not change after the checkpoint: the test proves little")
        checked.append(f"weights of {pr}")

    # HTM records (anomaly scores, column bursts): the rows from the checkpoint time on.
    for top in ("htm", "column_bursts"):
        for p in groups(F, top):
            ts = f"{top}/{p}/timestamps"
            keep = F[ts] >= t0 - 1e-9
            for key in F:
                if key.startswith(f"{top}/{p}/") and F[key].shape[:1] == F[ts].shape:
                    check(same(F[key][keep], R[key]), f"{label}: {key} after the checkpoint differs")
            check(np.count_nonzero(keep) > 0, f"{label}: no {top} rows after the checkpoint")
            checked.append(f"{top}/{p}: {np.count_nonzero(keep)} rows")
    print(f"{label}: checkpoint at {t0} ms; compared " + ", ".join(checked))


def case(label, scenario, sets, every, ck_threads, rs_threads, **kw):
    full, ck, rs, cut = (f"{tmp}/{label}_{k}.h5" for k in ("full", "ck", "rs", "cut"))
    if run("run", scenario, "-o", full, "--quiet", *sets, "--threads", "2").returncode != 0:
        return
    if run("run", scenario, "-o", ck, "--quiet", *sets, "--checkpoint-every", every, "--threads",
           str(ck_threads)).returncode != 0:
        return
    A, _ = read(full)
    B, _ = read(ck)
    check(all(same(A[k], B[k]) for k in A if k.startswith("spikes/")),
          f"{label}: taking checkpoints changes the spikes")
    ckpt = ck[:-3] + ".ckpt"
    if run("run", "--restart", ckpt, "-o", rs, "--quiet", "--threads", str(rs_threads)).returncode != 0:
        return
    _, ra = read(rs)
    t0 = float(ra["t_start"])
    check(t0 > 0, f"{label}: restarted at t = 0")
    run("run", scenario, "-o", cut, "--quiet", *sets, "--set", f"simulation.duration={t0!r} ms")
    compare(label, full, cut, rs, t0, **kw)


def edited(name, subs):
    """A copy of scenarios/NAME with text substitutions, beside the original (for csv: paths)."""
    with open(os.path.join(src, "scenarios", name)) as f:
        text = f.read()
    for a, b in subs:
        check(a in text, f"{name}: '{a}' not found (scenario changed?)")
        text = text.replace(a, b)
    path = f"{tmp}/{name}"
    with open(path, "w") as f:
        f.write(text)
    return path


# 1. Fig. 3 microcircuit, reduced: trace burst rule on pyr1/pyr2, STP on six projections,
# rates in 50 ms bins (checkpoints every 200 ms fall on bin boundaries).
micro = os.path.join(src, "scenarios", "microcircuit_fig3_defaults.yaml")
case("micro", micro,
     ["--set", "populations.pyr1.size=400", "--set", "populations.pyr2.size=400", "--set", "populations.pv.size=100",
      "--set", "populations.sst.size=100", "--set", "simulation.duration=700 ms",
      "--set", "stimuli.pyr1_soma_drive.start=100 ms", "--set", "stimuli.pyr2_dend_drive.start=100 ms"],
     "200 ms", 2, 1, need_open_burst=True)

# 2. Transmit modes, STP on them, the isi burst rule, STDP; checkpoints off every grid.
hooks_yaml = """
name: hooks_net
simulation: {duration: 600 ms, dt: 0.1 ms, seed: 4}
populations:
  a: {model: pyramidal, parameters: naud2018, size: 200,
      initial: {v_soma: {distribution: normal, mean: -70 mV, sd: 5 mV}}}
  b: {model: lif, size: 100}
  c: {model: adex, size: 60}
  d: {model: lif, size: 80}
projections:
  a_to_b: {source: a, target: b, receptor: exc, transmit: bursts, weight: 4 nS, delay: 1 ms,
           connectivity: {rule: fixed_probability, p: 0.2}, stp: {model: tsodyks_markram, preset: facilitating}}
  a_to_c: {source: a, target: c, receptor: exc, transmit: events, weight: 2 nS, delay: 1.2 ms,
           connectivity: {rule: fixed_probability, p: 0.2}, stp: {model: tsodyks_markram, preset: depressing}}
  c_to_a: {source: c, target: a, receptor: gaba_a, compartment: soma, weight: 0.2, delay: 1.5 ms,
           connectivity: {rule: fixed_indegree, indegree: 5}}
  b_to_d: {source: b, target: d, receptor: exc, weight: 2 nS, delay: 1 ms,
           connectivity: {rule: fixed_probability, p: 0.3},
           plasticity: {rule: stdp, A_plus: 0.05, A_minus: 0.05, w_max: 5}}
stimuli:
  soma_exc: {type: poisson, target: a, compartment: soma, receptor: ampa, rate: 500 Hz, weight: 0.35}
  soma_inh: {type: poisson, target: a, compartment: soma, receptor: gaba_a, rate: 500 Hz, weight: 0.3}
  dend_exc: {type: poisson, target: a, compartment: dend, receptor: ampa, rate: 500 Hz, weight: 0.1}
  b_drive: {type: poisson, target: b, receptor: exc, rate: 2000 Hz, weight: 1.5 nS}
  c_drive: {type: poisson, target: c, receptor: exc, rate: 2000 Hz, weight: 2 nS}
  d_drive: {type: poisson, target: d, receptor: exc, rate: 2000 Hz, weight: 1.5 nS}
recording:
  spikes: all
  bursts: {populations: [a], rule: isi, threshold: 16 ms}
  rates: {populations: [a, b], bin: 50 ms}
  weights: {projections: [b_to_d], interval: 25 ms, samples: 10}
"""
with open(f"{tmp}/hooks.yaml", "w") as f:
    f.write(hooks_yaml)
case("hooks", f"{tmp}/hooks.yaml", [], "230 ms", 1, 3, need_open_burst=True)

# 3. payeur2021 with learning from the start and the dendritic steps moved early.
gate = edited("plasticity_dendritic_gate.yaml",
              [("learning: [[8 s, 40 s]]", "learning: [[0 s, 40 s]]"),
               ("times: [0 s, 8 s, 16 s]", "times: [0 s, 300 ms, 600 ms]")])
case("gate", gate, ["--set", "simulation.duration=1000 ms"], "350 ms", 2, 1)

# 4. Pairing: payeur2021 on LIF pairs driven by spike lists and on a Poisson set.
case("pairing", os.path.join(src, "scenarios", "plasticity_pairing.yaml"),
     ["--set", "simulation.duration=4300 ms"], "1900 ms", 1, 2)

# 5. HTM from a CSV series: anomaly, likelihood (fitted before the checkpoint), column bursts.
anomaly = edited("htm_anomaly.yaml", [("csv: data/sine_anomaly.csv",
                                       "csv: " + os.path.join(src, "scenarios", "data", "sine_anomaly.csv"))])
case("htm_anomaly", anomaly, ["--set", "simulation.duration=500 ms"], "317 ms", 1, 2, min_spikes=0)

# 6. HTM fed by spikes (the checkpoint falls between two HTM steps, with input bits
# gathered towards the next one), driving LIF cells.
case("htm_mixed", os.path.join(src, "scenarios", "htm_mixed.yaml"), ["--set", "simulation.duration=800 ms"],
     "313 ms", 2, 1)

subprocess.run(["rm", "-rf", tmp])
checks.finish()
