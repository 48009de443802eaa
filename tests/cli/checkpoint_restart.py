"""Checkpoints and restarts (docs/checkpoint.md): a run restarted from a checkpoint gives,
bit for bit, the spikes of the uninterrupted run after the checkpoint time, for a COBA
network of LIF cells and for a network of pyramidal cells (both integration paths) with
AdEx interneurons, Poisson and spike-list input; SIGINT saves a checkpoint at the stop;
damaged checkpoints and network-changing options are refused with exit status 2 before
anything is written. Burst detection, STP, plasticity and HTM: tests/cli/checkpoint_hooks.py."""
import os
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from cli_checks import Checks  # noqa: E402

apical, src = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="apical_ckpt_")
checks = Checks(apical, timeout=600)
check, run, failures = checks.check, checks.run, checks.failures


def spikes(path):
    with h5py.File(path, "r") as f:
        out = {p: (f["spikes"][p]["timestamps"][:], f["spikes"][p]["node_ids"][:]) for p in f["spikes"]}
        a = dict(f["apical"].attrs)
    return out, a


def compare_after(full, before, restarted, t0, label):
    """The run cut at the checkpoint time t0 (`before`) followed by the restarted run gives
    the uninterrupted run's spikes exactly, and in the same order."""
    fs, _ = spikes(full)
    bs, _ = spikes(before)
    rs, ra = spikes(restarted)
    check(ra["t_start"] == t0, f"{label}: t_start {ra['t_start']} != checkpoint time {t0}")
    check(ra["completed"] == 1, f"{label}: restarted run not completed")
    total = 0
    for p in fs:
        t, n = fs[p]
        jt = np.concatenate([bs[p][0], rs[p][0]])
        jn = np.concatenate([bs[p][1], rs[p][1]])
        same = np.array_equal(t, jt) and np.array_equal(n, jn)
        check(same, f"{label}: population {p}: {bs[p][0].size} + {rs[p][0].size} spikes before + after the "
                    f"restart, {t.size} uninterrupted" + ("" if t.size != jt.size else " (same count, different values)"))
        check(np.all(rs[p][0] >= t0), f"{label}: population {p}: spike before the checkpoint time in the restarted file")
        total += rs[p][0].size
    check(total > 50, f"{label}: too few spikes after the checkpoint ({total}) for the comparison to mean much")


def cut_at(scenario, t0, out, *extra):
    """The same run, stopped at t0 (an epoch boundary): what a run killed there would hold."""
    run("run", scenario, "-o", out, "--quiet", "--set", f"simulation.duration={t0!r} ms", *extra)
    return out


# 1. COBA network of LIF cells (conductance synapses, recurrent, constant drive).
coba = os.path.join(src, "scenarios", "coba.yaml")
dur = ["--set", "simulation.duration=300 ms"]
run("run", coba, "-o", f"{tmp}/coba_full.h5", "--quiet", *dur)
run("run", coba, "-o", f"{tmp}/coba_ck.h5", "--quiet", *dur, "--checkpoint-every", "120 ms", "--threads", "2")
check(os.path.exists(f"{tmp}/coba_ck.ckpt"), "coba: checkpoint file written beside the output")
check(not os.path.exists(f"{tmp}/coba_ck.ckpt.partial"), "coba: no .partial checkpoint left")
a, _ = spikes(f"{tmp}/coba_full.h5")
b, _ = spikes(f"{tmp}/coba_ck.h5")
check(all(np.array_equal(a[p][0], b[p][0]) and np.array_equal(a[p][1], b[p][1]) for p in a),
      "coba: taking checkpoints changes the spikes")
# The last checkpoint: t = 240 ms (every 120 ms; the end is not saved).
r = run("run", "--restart", f"{tmp}/coba_ck.ckpt", "-o", f"{tmp}/coba_rs.h5", "--quiet", "--threads", "1")
_, ra = spikes(f"{tmp}/coba_rs.h5")
check(abs(ra["t_start"] - 240.0) < 1e-9, f"coba: checkpoint at {ra['t_start']} ms, expected 240")
compare_after(f"{tmp}/coba_full.h5", cut_at(coba, ra["t_start"], f"{tmp}/coba_cut.h5"), f"{tmp}/coba_rs.h5",
              ra["t_start"], "coba")

# 1b. The group cut travels with the checkpoint. The automatic cut makes CUBA's 3200 + 800
# cells 1600, 1600 and 800 on 1 thread, and on 2 threads 2000, 1200 and 800 (first cut where
# the two threads' equal shares meet; docs/scenario.md): a checkpoint saved on 2 threads
# restarts on 1 (the state of other groups would be refused), and a format-1 checkpoint (no
# group size: the one-thread size, which every run used then) restarts on 2.
cuba = os.path.join(src, "scenarios", "cuba.yaml")
grid = ["--set", "simulation.duration=300 ms", "--set", "simulation.event_times=grid"]
run("run", cuba, "-o", f"{tmp}/cuba_full.h5", "--quiet", *grid, "--threads", "1")
run("run", cuba, "-o", f"{tmp}/cuba_ck2.h5", "--quiet", *grid, "--checkpoint-every", "120 ms", "--threads", "2")
run("run", "--restart", f"{tmp}/cuba_ck2.ckpt", "-o", f"{tmp}/cuba_rs1.h5", "--quiet", "--threads", "1")
cuba_cut = cut_at(cuba, 240.0, f"{tmp}/cuba_cut.h5", "--set", "simulation.event_times=grid")
compare_after(f"{tmp}/cuba_full.h5", cuba_cut, f"{tmp}/cuba_rs1.h5", 240.0, "cuba grid, saved on 2 threads, restarted on 1")


def fnv1a(b):
    h = 0xcbf29ce484222325
    for x in b:
        h = ((h ^ x) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def as_format(version, path, out, edit_yaml=None):
    """The same checkpoint in format 1 (docs/checkpoint.md: no group size, no lane cut) or 2
    (no lane cut). edit_yaml: a function applied to the resolved scenario YAML (bytes) stored
    in it."""
    b = open(path, "rb").read()[:-8]
    check(b[:8] == b"APICALCK" and int.from_bytes(b[8:12], "little") == 3, f"{path}: not a format-3 checkpoint")
    at = 16
    for field in range(4):  # Apical version, scenario file, scenario YAML, output
        n = int.from_bytes(b[at:at + 8], "little")
        if field == 2 and edit_yaml:
            y = edit_yaml(b[at + 8:at + 8 + n])
            b = b[:at] + len(y).to_bytes(8, "little") + y + b[at + 8 + n:]
            n = len(y)
        at += 8 + n
    at += 8  # t
    if version == 2:
        at += 4  # the group size stays
    old = b[:8] + version.to_bytes(4, "little") + b[12:at] + b[at + 4 * (3 - version):]
    open(out, "wb").write(old + fnv1a(old).to_bytes(8, "little"))


run("run", cuba, "-o", f"{tmp}/cuba_ck1.h5", "--quiet", *grid, "--checkpoint-every", "120 ms", "--threads", "1")
as_format(1, f"{tmp}/cuba_ck1.ckpt", f"{tmp}/cuba_v1.ckpt")
run("run", "--restart", f"{tmp}/cuba_v1.ckpt", "-o", f"{tmp}/cuba_rs2.h5", "--quiet", "--threads", "2")
compare_after(f"{tmp}/cuba_full.h5", cuba_cut, f"{tmp}/cuba_rs2.h5", 240.0,
              "cuba grid, format-1 checkpoint saved on 1 thread, restarted on 2")

# 1c. Older formats with exact event times. Format-1 runs used 512-cell groups (the automatic
# size then; it is 2048 now), format-2 runs no lane cut (2 threads cut 4 groups of at most 1067
# cells, not today's 2000 + 1200 + 800): a restart from either must cut the groups so. Such a
# file is made here from a run with that group_size whose stored scenario is set back to
# automatic (0), rewritten in the older format.
exact = ["--set", "simulation.duration=300 ms"]
run("run", cuba, "-o", f"{tmp}/cuba_x_full.h5", "--quiet", *exact, "--threads", "1")
cuba_x_cut = cut_at(cuba, 240.0, f"{tmp}/cuba_x_cut.h5")


def restart_older(version, size, save_threads, restart_threads, label):
    ck = f"{tmp}/cuba_x_v{version}"
    run("run", cuba, "-o", f"{ck}.h5", "--quiet", *exact, "--set", f"simulation.group_size={size}",
        "--checkpoint-every", "120 ms", "--threads", str(save_threads))

    def automatic(y):
        named = f"group_size: {size}".encode()
        check(named in y, f"the stored scenario names group_size {size}")
        return y.replace(named, b"group_size: 0")

    as_format(version, f"{ck}.ckpt", f"{ck}_old.ckpt", automatic)
    run("run", "--restart", f"{ck}_old.ckpt", "-o", f"{ck}_rs.h5", "--quiet", "--threads", str(restart_threads))
    compare_after(f"{tmp}/cuba_x_full.h5", cuba_x_cut, f"{ck}_rs.h5", 240.0, label)


restart_older(1, 512, 1, 2, "cuba exact, format-1 checkpoint (automatic size 512 then), restarted on 2 threads")
restart_older(2, 1067, 2, 1, "cuba exact, format-2 checkpoint (4 groups of 1067, no lane cut), restarted on 1 thread")

# 2. Pyramidal cells (naud2018: the Euler path; l5_3c: the RK4 path), AdEx interneurons,
# Poisson and spike-list input, recurrent projections with drawn delays.
pyr_yaml = f"""
name: pyr_net
simulation: {{duration: 200 ms, dt: 0.1 ms, seed: 7}}
populations:
  pyr: {{model: pyramidal, parameters: naud2018, size: 300,
        initial: {{v_soma: {{distribution: normal, mean: -65 mV, sd: 5 mV}}}}}}
  l5: {{model: pyramidal, parameters: l5_3c, size: 20}}
  inh: {{model: adex, size: 60}}
projections:
  pyr_inh: {{source: pyr, target: inh, receptor: exc, connectivity: {{rule: fixed_probability, p: 0.1}},
            weight: 2 nS, delay: {{distribution: uniform, low: 1 ms, high: 3 ms}}}}
  inh_pyr: {{source: inh, target: pyr, receptor: gaba_a, compartment: soma,
            connectivity: {{rule: fixed_indegree, indegree: 5}}, weight: 0.3, delay: 1.5 ms}}
  pyr_l5: {{source: pyr, target: l5, receptor: ampa, compartment: soma,
           connectivity: {{rule: fixed_probability, p: 0.2}}, weight: 1 nS, delay: 2 ms}}
stimuli:
  soma_exc: {{type: poisson, target: pyr, compartment: soma, receptor: ampa, rate: 500 Hz, weight: 0.35}}
  dend_exc: {{type: poisson, target: pyr, compartment: dend, receptor: ampa, rate: 500 Hz, weight: 0.08}}
  soma_inh: {{type: poisson, target: pyr, compartment: soma, receptor: gaba_a, rate: 500 Hz, weight: 0.35}}
  l5_drive: {{type: poisson, target: l5, compartment: soma, receptor: ampa, rate: 2000 Hz, weight: 2 nS}}
  inh_drive: {{type: poisson, target: inh, receptor: exc, rate: 2000 Hz, weight: 3 nS}}
  kicks: {{type: spike_times, target: inh, receptor: exc, weight: 50 nS,
          times: [30 ms, 90 ms, 130 ms, 131 ms, 170 ms]}}
recording:
  spikes: all
"""
with open(f"{tmp}/pyr.yaml", "w") as f:
    f.write(pyr_yaml)
p = run("run", f"{tmp}/pyr.yaml", "-o", f"{tmp}/pyr_full.h5", "--quiet")
if p.returncode == 0:
    run("run", f"{tmp}/pyr.yaml", "-o", f"{tmp}/pyr_ck.h5", "--quiet", "--checkpoint-every", "70 ms",
        "--checkpoint", f"{tmp}/pyr.state")
    run("run", "--restart", f"{tmp}/pyr.state", "-o", f"{tmp}/pyr_rs.h5", "--quiet", "--threads", "3")
    _, ra = spikes(f"{tmp}/pyr_rs.h5")
    check(ra["t_start"] > 0, "pyramidal: restart at t = 0")
    compare_after(f"{tmp}/pyr_full.h5", cut_at(f"{tmp}/pyr.yaml", ra["t_start"], f"{tmp}/pyr_cut.h5"),
                  f"{tmp}/pyr_rs.h5", ra["t_start"], "pyramidal")
    # Every population must have spiked after the checkpoint, or the test proves little.
    rs, _ = spikes(f"{tmp}/pyr_rs.h5")
    for pop in ("pyr", "l5", "inh"):
        check(rs[pop][0].size > 0, f"pyramidal: population {pop} silent after the checkpoint")

# 3. SIGINT: the run stops at the next epoch with completed = 0, every spike up to
# t_reached (as the uninterrupted run has them), and a checkpoint at t_reached that
# continues exactly.
long = ["--set", "simulation.duration=100 s"]
proc = subprocess.Popen([apical, "run", coba, "-o", f"{tmp}/int.h5", "--quiet", *long, "--threads", "1",
                         "--checkpoint-every", "1000 s"], stderr=subprocess.PIPE, text=True)
deadline = time.time() + 60
while not os.path.exists(f"{tmp}/int.h5.partial") and time.time() < deadline:
    time.sleep(0.05)
time.sleep(1.0)
proc.send_signal(signal.SIGINT)
err = proc.communicate(timeout=120)[1]
check(proc.returncode == 1, f"SIGINT: exit {proc.returncode}, expected 1 ({err})")
check("interrupted at t =" in err and "--restart" in err, f"SIGINT: message: {err}")
check(os.path.exists(f"{tmp}/int.h5") and not os.path.exists(f"{tmp}/int.h5.partial"),
      "SIGINT: the interrupted file is finished under its name")
if os.path.exists(f"{tmp}/int.h5"):
    ints, ia = spikes(f"{tmp}/int.h5")
    t_r = float(ia["t_reached"])
    check(ia["completed"] == 0, "SIGINT: completed = 1 after an interrupt")
    check(0 < t_r < 100000.0, f"SIGINT: t_reached {t_r}")
    # The uninterrupted run up to t_reached + 100 ms: the same spikes up to t_reached ...
    end = t_r + 100.0
    run("run", coba, "-o", f"{tmp}/int_full.h5", "--quiet", "--set", f"simulation.duration={end!r} ms")
    full, _ = spikes(f"{tmp}/int_full.h5")
    for pop in full:
        t, n = full[pop]
        k = ints[pop][0].size
        check(np.array_equal(ints[pop][0], t[:k]) and np.array_equal(ints[pop][1], n[:k]) and
              (k == t.size or t[k] >= t_r), f"SIGINT: population {pop}: spikes up to t_reached differ from the "
                                             "uninterrupted run")
    check(sum(v[0].size for v in ints.values()) > 0, "SIGINT: no spikes before the interrupt")
    # ... and the checkpoint taken at the stop continues exactly.
    run("run", "--restart", f"{tmp}/int.ckpt", "-o", f"{tmp}/int_rs.h5", "--quiet",
        "--set", f"simulation.duration={end!r} ms")
    if os.path.exists(f"{tmp}/int_rs.h5"):
        compare_after(f"{tmp}/int_full.h5", f"{tmp}/int.h5", f"{tmp}/int_rs.h5", t_r, "SIGINT restart")

# 4. Refusals, each with exit 2, a message, and no output written.
def refused(args, fragment, label, out):
    p = run(*args, expect=2)
    check(fragment in p.stderr, f"{label}: no '{fragment}' in: {p.stderr}")
    check(not os.path.exists(out) and not os.path.exists(out + ".partial"), f"{label}: output written")

# (HTM layers and the spike hooks can be checkpointed: tests/cli/checkpoint_hooks.py. What
# is still refused, a network spread over MPI ranks or a hook without checkpoint support,
# is checked in tests/unit/test_checkpoint.cpp.)
refused(["run", "--restart", f"{tmp}/coba_ck.ckpt", "-o", f"{tmp}/x.h5", "--set", "populations.exc.size=10"],
        "would change the saved network", "restart with --set", f"{tmp}/x.h5")
refused(["run", coba, "--restart", f"{tmp}/coba_ck.ckpt", "-o", f"{tmp}/x.h5"], "not both", "both", f"{tmp}/x.h5")
refused(["run", coba, "-o", f"{tmp}/x.h5", "--checkpoint-every", "5"], "--checkpoint-every", "unitless", f"{tmp}/x.h5")
with open(f"{tmp}/coba_ck.ckpt", "rb") as f:
    good = f.read()
with open(f"{tmp}/cut.ckpt", "wb") as f:
    f.write(good[: len(good) // 2])
refused(["run", "--restart", f"{tmp}/cut.ckpt", "-o", f"{tmp}/x.h5"], "cut.ckpt: ", "truncated", f"{tmp}/x.h5")
flipped = bytearray(good)
flipped[len(flipped) // 2] ^= 0x40
with open(f"{tmp}/flip.ckpt", "wb") as f:
    f.write(bytes(flipped))
refused(["run", "--restart", f"{tmp}/flip.ckpt", "-o", f"{tmp}/x.h5"], "checksum", "corrupted", f"{tmp}/x.h5")
refused(["run", "--restart", coba, "-o", f"{tmp}/x.h5"], "not an Apical checkpoint", "not a checkpoint", f"{tmp}/x.h5")
# A format from a later Apical, and a lane cut of 0 shares (checksums made good: only the
# fields are wrong).
body = good[:-8]
later = body[:8] + (4).to_bytes(4, "little") + body[12:]
with open(f"{tmp}/v4.ckpt", "wb") as f:
    f.write(later + fnv1a(later).to_bytes(8, "little"))
refused(["run", "--restart", f"{tmp}/v4.ckpt", "-o", f"{tmp}/x.h5"], "format version 4; this Apical reads versions 1 to 3",
        "format 4", f"{tmp}/x.h5")
at = 16
for field in range(4):
    at += 8 + int.from_bytes(body[at:at + 8], "little")
at += 8 + 4  # t, group size
check(int.from_bytes(body[at - 4:at], "little") == 2048 and int.from_bytes(body[at:at + 4], "little") == 2,
      "coba saved on 2 threads records its cut: group size 2048, lane cut in 2 shares")
zero = body[:at] + (0).to_bytes(4, "little") + body[at + 4:]
with open(f"{tmp}/zero.ckpt", "wb") as f:
    f.write(zero + fnv1a(zero).to_bytes(8, "little"))
refused(["run", "--restart", f"{tmp}/zero.ckpt", "-o", f"{tmp}/x.h5"], "lane cut of 0 shares", "lane cut 0", f"{tmp}/x.h5")
refused(["run", "--restart", f"{tmp}/coba_ck.ckpt", "-o", f"{tmp}/x.h5", "--set", "simulation.duration=100 ms"],
        "after simulation.duration", "restart past the end", f"{tmp}/x.h5")

subprocess.run(["rm", "-rf", tmp])
checks.finish()
