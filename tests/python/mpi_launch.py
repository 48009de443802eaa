"""mpirun for the test scripts (tests/cli/mpi_network.py, tests/cli/sweep.py).

CI runs the suite as root in a container on a 2-core machine. OpenMPI needs a few settings
there that a cluster does not (docs/clusters.md, "MPI in containers"):
- --allow-run-as-root, and --oversubscribe for 3 ranks on 2 cores;
- --bind-to none: a container's cpuset can make OpenMPI's default core binding fail;
- btl_vader_single_copy_mechanism=none: the shared-memory transport's CMA copies
  (process_vm_readv) are refused where ptrace between processes is restricted;
- plm_rsh_agent=false: a single-node launch starts ranks by fork and needs no ssh, but
  OpenMPI refuses to start when none is installed;
- a short TMPDIR: OpenMPI and PMIx put Unix sockets under it (108-byte path limit).
Values a user already set in the environment win. A failed launch exits the test with
mpirun's output first, so the CI log shows why.

require_runtime() runs tests/mpi_probe.cpp (a plain MPI program) on 2 ranks first. Where even
that cannot run (no MPI in this build, or a machine where OpenMPI cannot start processes),
the MPI checks cannot be made here: the test says why and exits 77, which CTest reports as
skipped (tests/CMakeLists.txt), not as passed. Everything after a working probe is checked.
"""
import os
import shutil
import subprocess
import sys

MPIRUN = shutil.which("mpirun")

_DEFAULTS = {
    "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    "OMPI_MCA_plm_rsh_agent": "false",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
    "OMPI_MCA_hwloc_base_binding_policy": "none",
}


def env():
    e = dict(os.environ)
    for k, v in _DEFAULTS.items():
        e.setdefault(k, v)
    if len(e.get("TMPDIR", "/tmp")) > 40:
        e["TMPDIR"] = "/tmp"
    if "ASAN_OPTIONS" in e:
        # Under the sanitizer suite (tools/sanitize.sh): OpenMPI leaves allocations made by
        # its plug-ins, unloaded at MPI_Finalize, so LeakSanitizer cannot even name their
        # module to suppress them. Leak checks stay on for every non-MPI test of the same code;
        # address and undefined-behaviour errors stay on here.
        e["ASAN_OPTIONS"] += ":detect_leaks=0"
    return e


def command(ranks, *args):
    assert MPIRUN, "mpirun not found: tools/setup.sh installs openmpi-bin"
    return [MPIRUN, "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-n", str(ranks), *map(str, args)]


def launch(ranks, *args, check=True, timeout=600):
    """Run `mpirun -n RANKS ARGS...`; with check, a non-zero exit ends the test with the output."""
    cmd = command(ranks, *args)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env(), timeout=timeout)
    except subprocess.TimeoutExpired as e:
        sys.exit(f"TIMEOUT after {timeout} s: {' '.join(cmd)}\n--- stderr ---\n{e.stderr}\n--- stdout ---\n{e.stdout}")
    if check and p.returncode != 0:
        probe = subprocess.run(command(2, "true"), capture_output=True, text=True, env=env(), timeout=120)
        sys.exit(f"FAILED (exit {p.returncode}): {' '.join(cmd)}\n--- stderr ---\n{p.stderr[-3000:]}\n"
                 f"--- stdout ---\n{p.stdout[-1500:]}\n--- `mpirun -n 2 true` here: exit {probe.returncode} ---\n"
                 f"{probe.stderr[-1500:]}")
    return p


SKIP = 77


def probe(apical):
    """'' when MPI programs run here; otherwise why not."""
    exe = os.path.join(os.path.dirname(os.path.abspath(apical)), "tests", "mpi_probe")
    if not os.path.exists(exe):
        return f"{exe} was not built: this build has no MPI (CMake found no MPI library)"
    if not MPIRUN:
        return "mpirun not found (Debian: openmpi-bin)"
    try:
        p = subprocess.run(command(2, exe), capture_output=True, text=True, env=env(), timeout=120)
    except subprocess.TimeoutExpired:
        return "`mpirun -n 2 mpi_probe` did not finish in 120 s"
    if p.returncode != 0:
        return f"`mpirun -n 2 mpi_probe` exited with {p.returncode}:\n{p.stderr[-2500:]}{p.stdout[-500:]}"
    return ""


def require_runtime(apical):
    why = probe(apical)
    if why:
        print(f"SKIPPED: the MPI runtime does not work on this machine, so the MPI checks cannot run: {why}",
              flush=True)
        sys.exit(SKIP)


def popen(ranks, *args, **kw):
    return subprocess.Popen(command(ranks, *args), env=env(), **kw)
