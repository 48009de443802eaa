"""`apical sweep` and `apical collect` (docs/sweeps.md, docs/clusters.md): the same sweep
run with --jobs 1 and --jobs 2 gives identical point files; MPI with 2 and 3 ranks and
job-array tasks 0..K-1 (merged by `apical collect`) give the same summary as a local run;
--resume after a kill reruns only what is missing; a failing point is reported and does
not stop the others; bad usage is exit 2.
Arguments: APICAL SOURCE_DIR."""
import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import mpi_launch  # noqa: E402  (mpirun with the settings a container needs)

APICAL, SRC = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="apical_sweep_")

SCENARIO = """name: sw
simulation: {duration: 300 ms, dt: 0.1 ms, seed: 3}
populations:
  exc: {model: lif, size: 40, initial: {v: {distribution: uniform, low: -60 mV, high: -50 mV}}}
  inh: {model: lif, size: 10}
projections:
  ei: {source: exc, target: inh, receptor: exc, connectivity: {rule: fixed_probability, p: 0.2},
       weight: 2 nS, delay: 1 ms}
  ie: {source: inh, target: exc, receptor: inh, connectivity: {rule: fixed_probability, p: 0.2},
       weight: 4 nS, delay: 1 ms}
stimuli:
  drive: {type: poisson, target: exc, receptor: exc, rate: 2 kHz, weight: 1 nS}
recording: {spikes: all}
sweep:
  grid:
    stimuli.drive.rate: [1 kHz, 3 kHz]
    projections.ie.weight: [2 nS, 6 nS, 10 nS]
"""


def run(*args, rc=0, env=None, cwd=None):
    p = subprocess.run([APICAL, *args], capture_output=True, text=True, env=env, cwd=cwd)
    assert p.returncode == rc, (args, p.returncode, p.stdout, p.stderr)
    return p


def summary(d):
    with open(os.path.join(d, "summary.csv"), newline="") as f:
        return list(csv.DictReader(f))


def without_wall(rows):
    return [{k: v for k, v in r.items() if k != "wall_s"} for r in rows]


def h5_contents(path):
    """Every dataset and attribute, except the ones that describe how the run went
    (wall time, thread count) rather than what it computed."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            for k, v in obj.attrs.items():
                if name == "apical" and k in ("wall_seconds", "threads", "scenario"):
                    continue
                out[name + "@" + k] = np.asarray(v).tolist()
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()].tolist()
        for k, v in f.attrs.items():
            out["/@" + k] = np.asarray(v).tolist()
        f.visititems(visit)
    return out


scen = os.path.join(tmp, "sw.yaml")
open(scen, "w").write(SCENARIO)
nosweep = os.path.join(tmp, "nosweep.yaml")
open(nosweep, "w").write(SCENARIO.split("sweep:")[0])
N = 6

# --- --jobs and --threads outside [1, 65535]: refused with the range, nothing written --------
for opt, bad in (("--jobs", "0"), ("--jobs", "-1"), ("--threads", "0"), ("--jobs", "abc")):
    d = os.path.join(tmp, "bad_jobs")
    p = run("sweep", scen, "-o", d, opt, bad, rc=2)
    assert f'{opt}: expected a whole number in [1, 65535], got "{bad}"' in p.stderr, p.stderr
    assert not os.path.exists(d), d

# --- -o that cannot be a sweep directory: refused before any point runs (exit 2) ----------
# (before: "filesystem error: cannot create directories" after validating, exit 1)
afile = os.path.join(tmp, "afile")
open(afile, "w").close()
p = run("sweep", scen, "-o", afile, rc=2)
assert f"{afile} exists and is not a directory; a sweep writes a directory" in p.stderr, p.stderr
p = run("sweep", scen, "-o", os.path.join(afile, "sub"), rc=2)
assert "cannot create the sweep directory (Not a directory); choose a writable place with -o" in p.stderr, p.stderr

# --- jobs 1 vs jobs 2: identical point files ------------------------------------------
d1, d2 = os.path.join(tmp, "j1"), os.path.join(tmp, "j2")
p = run("sweep", scen, "-o", d1, "--jobs", "1")
assert "6 points" in p.stdout and "done" in p.stdout, p.stdout
run("sweep", scen, "-o", d2, "--jobs", "2", "--threads", "1", "--quiet")
for i in range(N):
    a, b = h5_contents(f"{d1}/points/{i}.h5"), h5_contents(f"{d2}/points/{i}.h5")
    assert a == b, i
    assert len(a["spikes/exc/timestamps"]) > 0
local = summary(d1)
assert without_wall(local) == without_wall(summary(d2))
assert len(local) == N and all(r["status"] == "done" for r in local), local
assert [r["point"] for r in local] == [str(i) for i in range(N)]
r0 = local[0]
assert r0["stimuli.drive.rate [Hz]"] == "1000" and r0["projections.ie.weight [nS]"] == "2", r0
for col in ("exc.rate_hz", "exc.cv_isi", "exc.event_rate_hz", "exc.burst_probability", "exc.mean_anomaly",
            "inh.rate_hz", "message"):
    assert col in r0, col
assert float(r0["exc.rate_hz"]) > 0 and r0["exc.mean_anomaly"] == "" and r0["message"] == ""
# Seeds: derived per point from the base seed, distinct, and the ones the files record.
seeds = [int(r["seed"]) for r in local]
assert len(set(seeds)) == N
for i in range(N):
    with h5py.File(f"{d1}/points/{i}.h5", "r") as f:
        assert int(f["apical"].attrs["seed"]) == seeds[i]
        assert f["apical"].attrs["completed"] == 1
# Rate from the summary = spikes / cells / duration.
with h5py.File(f"{d1}/points/4.h5", "r") as f:
    n = len(f["spikes/exc/timestamps"])
assert abs(float(local[4]["exc.rate_hz"]) - n / 40 / 0.3) < 1e-9
# sweep.h5 holds the same table.
with h5py.File(f"{d1}/sweep.h5", "r") as f:
    assert list(f["points/point"][()]) == list(range(N))
    assert [s.decode() for s in f["points/status"][()]] == ["done"] * N
    assert f["parameters/stimuli.drive.rate"].attrs["units"] == "Hz"
    assert list(f["parameters/stimuli.drive.rate"][()]) == [1000.0] * 3 + [3000.0] * 3
    assert np.allclose(f["statistics/exc/rate_hz"][()], [float(r["exc.rate_hz"]) for r in local])
# The plot of the sweep directory reads this summary.
run("plot", d1, "--quiet")
assert os.path.exists(os.path.join(d1, "report.html"))

# --- MPI: 2 and 3 ranks give the local summary ------------------------------------------
mpi_unusable = mpi_launch.probe(APICAL)
if not mpi_unusable:
    for k in (2, 3):
        dm = os.path.join(tmp, f"mpi{k}")
        p = mpi_launch.launch(k, APICAL, "sweep", scen, "-o", dm, "--jobs", "1")
        assert f"{k} ranks" in p.stdout, p.stdout
        assert without_wall(summary(dm)) == without_wall(local), k
        for i in range(N):
            assert h5_contents(f"{dm}/points/{i}.h5") == h5_contents(f"{d1}/points/{i}.h5")

# --- job array: tasks 0..K-1 cover each point once; collect merges them -----------------
da = os.path.join(tmp, "array")
K = 4
ran = []
for t in range(K):
    if t == 1:  # from Slurm's variables, with an array numbered from 1
        env = dict(os.environ, SLURM_ARRAY_TASK_ID="2", SLURM_ARRAY_TASK_COUNT=str(K), SLURM_ARRAY_TASK_MIN="1")
        p = run("sweep", scen, "-o", da, env=env)
    else:
        p = run("sweep", scen, "-o", da, "--task-index", str(t), "--task-count", str(K))
    assert f"task {t} of {K}" in p.stdout, p.stdout
    ran += [int(line.split("point ")[1].split(" ")[0]) for line in p.stdout.splitlines() if "] point " in line]
    assert not os.path.exists(os.path.join(da, "summary.csv"))  # tasks do not write shared files
assert sorted(ran) == list(range(N)), ran
run("collect", da)
assert without_wall(summary(da)) == without_wall(local)
# collect with some points absent: they are `missing`.
dp = os.path.join(tmp, "partial_array")
run("sweep", scen, "-o", dp, "--task-index", "0", "--task-count", "2", "--quiet")
run("collect", dp)
st = [r["status"] for r in summary(dp)]
assert st == ["done", "missing"] * 3, st

# --- resume ---------------------------------------------------------------------------
# Without --resume an existing sweep is never overwritten; a different sweep is refused.
p = run("sweep", scen, "-o", d1, rc=2)
assert "--resume" in p.stderr, p.stderr
p = run("sweep", scen, "-o", d1, "--grid", "stimuli.drive.rate=5 kHz", rc=2)
assert "different sweep" in p.stderr, p.stderr
# Deleted and half-written points are rerun, complete ones are not touched.
dr = os.path.join(tmp, "resume")
shutil.copytree(d1, dr)
os.remove(f"{dr}/points/1.h5")
os.rename(f"{dr}/points/4.h5", f"{dr}/points/4.h5.partial")
before = {i: os.stat(f"{dr}/points/{i}.h5").st_mtime_ns for i in (0, 2, 3, 5)}
p = run("sweep", scen, "-o", dr, "--resume")
rerun = sorted(int(line.split("point ")[1].split(" ")[0]) for line in p.stdout.splitlines() if "] point " in line)
assert rerun == [1, 4], p.stdout
assert "4 already done" in p.stdout, p.stdout
assert {i: os.stat(f"{dr}/points/{i}.h5").st_mtime_ns for i in (0, 2, 3, 5)} == before
assert not os.path.exists(f"{dr}/points/4.h5.partial")
assert without_wall(summary(dr)) == without_wall(local)
# A real kill: longer points, one job; kill -9 once the first point is done.
slow = os.path.join(tmp, "slow.yaml")
open(slow, "w").write(SCENARIO.replace("duration: 300 ms", "duration: 5 s").replace("size: 40", "size: 400"))


def signal_after_first_point(d, sig):
    """Starts the slow sweep into d, one point at a time; sends `sig` once point 0 is done.
    Returns the exit status."""
    proc = subprocess.Popen([APICAL, "sweep", slow, "-o", d, "--jobs", "1", "--threads", "1", "--quiet"])
    deadline = time.time() + 120
    while not os.path.exists(f"{d}/points/0.h5") and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(sig)
    return proc.wait()


dk = os.path.join(tmp, "killed")
signal_after_first_point(dk, signal.SIGKILL)
done_before = {i for i in range(N) if os.path.exists(f"{dk}/points/{i}.h5")}
assert 0 in done_before
p = run("sweep", slow, "-o", dk, "--resume")
rerun = sorted(int(line.split("point ")[1].split(" ")[0]) for line in p.stdout.splitlines() if "] point " in line)
assert rerun == sorted(set(range(N)) - done_before), (rerun, done_before)
assert all(r["status"] == "done" for r in summary(dk))
assert not [f for f in os.listdir(f"{dk}/points") if f.endswith(".partial")]
# SIGTERM (what Slurm sends at the time limit): points in flight stop and are lost, the
# others are kept, the summary is written (the lost ones `missing`), exit status 1.
dt = os.path.join(tmp, "terminated")
rc = signal_after_first_point(dt, signal.SIGTERM)
st = [r["status"] for r in summary(dt)]
assert rc == (0 if st == ["done"] * N else 1), (rc, st)
assert set(st) <= {"done", "missing"} and st[0] == "done", st
p = run("sweep", slow, "-o", dt, "--resume", "--quiet")
assert all(r["status"] == "done" for r in summary(dt))

# --- a failing point is recorded and does not stop the others ----------------------------
# C_m = 0.001 pF puts the lif on its RK4 path with tau far below dt: the state blows up.
df = os.path.join(tmp, "failing")
grid = ["--grid", "populations.exc.parameters={C_m: 200 pF},{C_m: 0.001 pF}"]
p = run("sweep", nosweep, "-o", df, *grid, "--jobs", "2", rc=1)
rows = summary(df)
assert [r["status"] for r in rows] == ["done", "failed"], rows
assert "numerical failure" in rows[1]["message"], rows[1]
assert rows[1]["exc.rate_hz"] == "" and float(rows[0]["exc.rate_hz"]) > 0
assert os.path.exists(f"{df}/points/1.failed")
# --resume reruns the failed point (and it fails again, deterministically).
p = run("sweep", nosweep, "-o", df, *grid, "--resume", rc=1)
assert "point 1 " in p.stdout and "point 0 " not in p.stdout, p.stdout

# --- bad usage: exit 2 with a clear message ---------------------------------------------
p = run("sweep", scen, "-o", os.path.join(tmp, "bad1"), "--grid", "populations.exc.size=10,abc", rc=2)
assert "sweep point" in p.stderr and "populations.exc.size=abc" in p.stderr and "whole number" in p.stderr, p.stderr
p = run("sweep", scen, "-o", os.path.join(tmp, "bad2"), "--grid", "populations.exx.size=10", rc=2)
assert "exx" in p.stderr and "exc" in p.stderr, p.stderr
p = run("sweep", scen, "-o", os.path.join(tmp, "bad3"), "--task-index", "4", "--task-count", "4", rc=2)
assert "0..3" in p.stderr, p.stderr
p = run("sweep", nosweep, "-o", os.path.join(tmp, "bad4"), rc=2)
assert "nothing to sweep" in p.stderr, p.stderr
badsec = os.path.join(tmp, "badsec.yaml")
open(badsec, "w").write(SCENARIO.replace("  grid:", "  gird:"))
p = run("sweep", badsec, "-o", os.path.join(tmp, "bad5"), rc=2)
assert "badsec.yaml:15:3" in p.stderr and "grid" in p.stderr, p.stderr
p = run("collect", os.path.join(tmp, "nowhere"), rc=2)
p = run("collect", tmp, rc=2)
assert "not a sweep directory" in p.stderr, p.stderr
# --list: the same points from a CSV file give the same summary.
lst = os.path.join(tmp, "points.csv")
open(lst, "w").write("stimuli.drive.rate,projections.ie.weight\n" +
                     "".join(f"{r} kHz,{w} nS\n" for r in (1, 3) for w in (2, 6, 10)))
dl = os.path.join(tmp, "list")
run("sweep", nosweep, "-o", dl, "--list", lst, "--quiet")
assert [(r["stimuli.drive.rate [Hz]"], r["exc.rate_hz"]) for r in summary(dl)] == \
       [(r["stimuli.drive.rate [Hz]"], r["exc.rate_hz"]) for r in local]

shutil.rmtree(tmp)
if mpi_unusable:
    # Everything else passed; the MPI part could not run here (tests/python/mpi_launch.py).
    if os.environ.get("APICAL_TESTS_WITHOUT_MPI") == "1":
        # A build made without MPI on purpose (tools/tsan.sh): the MPI part is not this run's job.
        print(f"sweep OK; MPI part not run (build without MPI on purpose): {mpi_unusable}")
        sys.exit(0)
    print(f"sweep OK without the MPI part. SKIPPED: the MPI runtime does not work on this machine: {mpi_unusable}")
    sys.exit(mpi_launch.SKIP)
print("sweep OK")
