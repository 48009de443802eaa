"""One network across MPI ranks (`mpirun -n K apical run`): the result file must be bitwise the
same as a single process's, for 2 and 3 ranks and 1 or 2 threads per rank: spikes, traces
(gathered from the ranks to rank 0), HTM records. Scenarios: COBA (LIF, 4000 cells; also in
groups of 8 cells, whose synapses are all in sparse blocks, reached by routing), the
multiplexing network (naud2018 pyramidal cells, reduced), BAC firing (5 cells: one group, so
all but one rank own no cells), the mixed LIF -> HTM -> LIF network (the HTM population lives
on one rank), the Fig. 3 microcircuit (reduced: burst detection and short-term plasticity
on every rank, /bursts and burst rates) and the dendritic-gate plasticity protocol (weight
sums, samples and final weights gathered from the ranks). CI installs openmpi-bin
(tools/setup.sh) and runs as root in a container: tests/python/mpi_launch.py launches mpirun
with the settings that needs.
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import mpi_launch  # noqa: E402  (mpirun with the settings a container needs)

apical, src = sys.argv[1], sys.argv[2]
mpi_launch.require_runtime(apical)

CASES = [
    ("coba.yaml", ["simulation.duration=300 ms"]),
    # groups of 8 cells: every block sparse, spikes reach them through each rank's routing table
    ("coba.yaml", ["simulation.duration=200 ms", "simulation.group_size=8"]),
    ("multiplexing.yaml", ["simulation.duration=1200 ms", "populations.pyr.size=1200"]),
    ("bac_firing.yaml", []),
    ("htm_mixed.yaml", ["simulation.duration=400 ms"]),
    # burst classification, STP and transmission on every rank; /bursts and burst rates
    ("microcircuit_fig3_defaults.yaml", ["simulation.duration=300 ms", "populations.pyr1.size=1000",
                                         "populations.pyr2.size=1000", "populations.pv.size=250",
                                         "populations.sst.size=250"]),
    # burst-dependent plasticity: /weights sums, samples and final weights from every rank
    ("plasticity_dendritic_gate.yaml", ["simulation.duration=600 ms"]),
]
LAYOUTS = [(2, 1), (3, 1), (2, 2)]


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        assert f["apical"].attrs["completed"] == 1, path

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
        f.visititems(visit)
    return out


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    assert p.returncode == 0, (cmd, p.stdout, p.stderr)
    return p.stdout


with tempfile.TemporaryDirectory() as top:
    for scen, sets in CASES:
        d = os.path.join(top, scen + "_".join(sets).replace(" ", "").replace("/", "_"))
        os.mkdir(d)
        args = [os.path.join(src, "scenarios", scen), "--quiet", "--force"]
        for s in sets:
            args += ["--set", s]
        ref_file = os.path.join(d, "ref.h5")
        run([apical, "run", *args, "-o", ref_file, "--threads", "1"])
        ref = datasets(ref_file)
        n_spikes = sum(len(v) for k, v in ref.items() if k.startswith("spikes/") and k.endswith("timestamps"))
        assert n_spikes > 0, scen
        for ranks, threads in LAYOUTS:
            out = os.path.join(d, f"r{ranks}t{threads}.h5")
            mpi_launch.launch(ranks, apical, "run", *args, "-o", out, "--threads", threads)
            got = datasets(out)
            assert sorted(got) == sorted(ref), (scen, ranks, threads, sorted(set(got) ^ set(ref)))
            for k, v in ref.items():
                if isinstance(v, np.ndarray):
                    assert v.dtype == got[k].dtype and np.array_equal(v, got[k], equal_nan=v.dtype.kind == "f"), \
                        (scen, ranks, threads, k)
                else:
                    assert v == got[k], (scen, ranks, threads, k)
            # Only rank 0 writes: no other file (and no leftover .partial) appears.
            expected = {"ref.h5"} | {f"r{r}t{t}.h5" for r, t in LAYOUTS[:LAYOUTS.index((ranks, threads)) + 1]}
            assert set(os.listdir(d)) == expected, sorted(os.listdir(d))
        print(f"{scen}: {n_spikes} spikes, {len(ref)} datasets identical for 1 process and "
              f"{', '.join(f'{r} ranks x {t} threads' for r, t in LAYOUTS)}")
    # A numerical failure on the rank that owns population 'a' (rank 1 of 2: 'ok' and 'a' are
    # one group each) stops both ranks; rank 0 reports it and the file says completed = 0.
    blow = os.path.join(top, "blow.yaml")
    with open(blow, "w") as f:
        f.write("name: blowup\nsimulation: {duration: 100 ms, dt: 0.1 ms}\npopulations:\n"
                "  ok: {model: lif, size: 2}\n  a: {model: lif, size: 3, parameters: {C_m: 0.001 pF}}\n"
                "stimuli:\n  drive: {type: poisson, target: a, receptor: exc, rate: 1000 Hz, weight: 1 nS}\n")
    out = os.path.join(top, "blow.h5")
    p = mpi_launch.launch(2, apical, "run", blow, "-o", out, check=False)
    assert p.returncode != 0 and "numerical failure: population 'a'" in p.stderr, p.stderr
    with h5py.File(out, "r") as f:
        assert f["apical"].attrs["completed"] == 0
    # SIGTERM to mpirun reaches the ranks: they stop at the same epoch, rank 0 keeps every spike
    # up to t_reached in a valid file with completed = 0.
    out = os.path.join(top, "long.h5")
    proc = mpi_launch.popen(2, apical, "run", os.path.join(src, "scenarios", "coba.yaml"), "-o", out, "--set",
                            "simulation.duration=120 s", "--threads", "1", "--quiet", stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    import time
    time.sleep(3.0)
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0, err
    with h5py.File(out, "r") as f:
        a = dict(f["apical"].attrs)
        t = f["spikes/exc/timestamps"][:]
        assert a["completed"] == 0 and 0 < a["t_reached"] < 120000, a
        assert len(t) > 0 and t[-1] < a["t_reached"], (t[-1], a["t_reached"])
    print(f"numerical failure on rank 1 and SIGTERM under mpirun: completed = 0 files (t_reached {a['t_reached']} ms)")
print("MPI network: OK")
