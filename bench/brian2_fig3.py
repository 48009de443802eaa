#!/usr/bin/python3
"""Brian2 C++ standalone peer: the Fig. 3 microcircuit of Payeur et al. 2021, with the same
equations, weights and short-term plasticity as scenarios/microcircuit_fig3_defaults.yaml.

Circuit (shared reference; docs/microcircuit.md): Pyr1, Pyr2 4000 naud2018 two-compartment cells
each, PV and SST 1000 AdEx cells each, p = 0.05 Bernoulli per pair (no autapses in the recurrent
pyramidal projections), delay 0.8 ms, dt 0.1 ms, weights in units of the target's leak
conductance, dendritic driving force from the somatic voltage (naud2018 conventions), forward
Euler everywhere (Brian2 method 'euler'; Apical's naud2018 and pv/sst presets use forward Euler
on the grid too). Extended Tsodyks-Markram STP per synapse, event-driven (Brian2's usual form;
Apical keeps one state per presynaptic cell: the same numbers, since all synapses of a cell see
the same spikes). Background: every cell its own 500 Hz excitatory and 500 Hz inhibitory Poisson
input per compartment (PoissonInput: binomial counts per step). Drive as in the scenario.
Default feedback weights (Pyr2 -> Pyr1 0.05, SST -> Pyr1 0).

Differences left: Apical draws Poisson inputs as exact event times, Brian2 as counts per step;
the AdEx refractory V is set to E_L at the spike (Apical: V_reset at the spike step, then E_L).

Usage: brian2_fig3.py [--duration 10] [--seed 1] [--out-dir bench/out]
Builds and runs the standalone project in OUT_DIR/fig3_project, then prints one JSON line
(rates per population, run_seconds from Brian2's last_run_info). Time the binary alone with
`cd OUT_DIR/fig3_project && /usr/bin/time -v ./main` (bench/run_fig3.sh does).
"""
import argparse
import json
import os
import time

import numpy as np


def build(b2, duration):
    ms, mV, pA, nS, pF, Hz, second = b2.ms, b2.mV, b2.pA, b2.nS, b2.pF, b2.Hz, b2.second
    pyr_ns = dict(EL=-70 * mV, Cs=370 * pF, gLs=370 * pF / (16 * ms), gs=1300 * pA, tau_ws=100 * ms,
                  b_s=200 * pA, Cd=170 * pF, gLd=170 * pF / (7 * ms), gd=1200 * pA, tau_wd=30 * ms,
                  a_d=13 * nS, cd=2600 * pA, Ed=-38 * mV, Dd=6 * mV, theta0=-50 * mV, tau_theta=27 * ms,
                  tau_ampa=5 * ms, tau_gaba=10 * ms, E_ampa=0 * mV, E_gaba=-80 * mV)
    pyr_eqs = """
    dvs/dt = (-gLs*(vs - EL) + gs*f_d - ws + I_s
              + gLs*(ga_s*(E_ampa - vs) + gg_s*(E_gaba - vs))) / Cs : volt
    dvd/dt = (-gLd*(vd - EL) + gd*f_d + cd*bap - wd + I_d
              + gLd*(ga_d*(E_ampa - vs) + gg_d*(E_gaba - vs))) / Cd : volt
    f_d = 1 / (1 + exp(-(vd - Ed) / Dd)) : 1
    bap = int(t - t_spike < 2*ms) : 1
    dws/dt = -ws / tau_ws : amp
    dwd/dt = (a_d*(vd - EL) - wd) / tau_wd : amp
    dtheta/dt = (theta0 - theta) / tau_theta : volt
    dga_s/dt = -ga_s / tau_ampa : 1
    dgg_s/dt = -gg_s / tau_gaba : 1
    dga_d/dt = -ga_d / tau_ampa : 1
    dgg_d/dt = -gg_d / tau_gaba : 1
    t_spike : second
    I_s = {I_s} : amp
    I_d = {I_d} : amp
    """
    drive_on = "int(t >= 1*second)"
    pyr1 = b2.NeuronGroup(4000, pyr_eqs.format(I_s=f"200*pA*sin(2*pi*2*Hz*(t - 1*second))*{drive_on}",
                                               I_d="50*pA"),
                          threshold="vs > theta", reset="vs = EL; theta += 2*mV; ws += b_s; t_spike = t",
                          method="euler", namespace=pyr_ns, name="pyr1")
    pyr2 = b2.NeuronGroup(4000, pyr_eqs.format(I_s="-100*pA",
                                               I_d=f"(100*pA + 100*pA*sin(2*pi*0.894427191*Hz*(t - 1*second)))*{drive_on}"),
                          threshold="vs > theta", reset="vs = EL; theta += 2*mV; ws += b_s; t_spike = t",
                          method="euler", namespace=pyr_ns, name="pyr2")
    for g in (pyr1, pyr2):
        g.vs = "-70*mV + 5*mV*randn()"
        g.vd = -70 * mV
        g.theta = -50 * mV
        g.t_spike = -1 * second

    ad_eqs = """
    dv/dt = (-gL*(v - EL) + gL*DT*exp(clip((v - VT)/DT, -1e9, 30)) - w + Ib
             + gL*(ge*(E_ampa - v) + gi*(E_gaba - v))) / C : volt (unless refractory)
    dw/dt = (a*(v - EL) - w) / tau_w : amp
    dge/dt = -ge / tau_ampa : 1
    dgi/dt = -gi / tau_gaba : 1
    """
    common = dict(C=100 * pF, EL=-70 * mV, tau_ampa=5 * ms, tau_gaba=10 * ms, E_ampa=0 * mV, E_gaba=-80 * mV)
    pv = b2.NeuronGroup(1000, ad_eqs, threshold="v > 0*mV", reset="v = EL", refractory=1 * ms, method="euler",
                        namespace=dict(common, gL=10 * nS, DT=2 * mV, VT=-48 * mV, a=0 * nS, b=0 * pA,
                                       tau_w=100 * ms, Ib=205 * pA), name="pv")
    sst = b2.NeuronGroup(1000, ad_eqs, threshold="v > 0*mV", reset="v = EL; w += b", refractory=2 * ms,
                         method="euler", namespace=dict(common, gL=5 * nS, DT=4 * mV, VT=-61.84 * mV, a=0.5 * nS,
                                                        b=10 * pA, tau_w=500 * ms, Ib=0 * pA), name="sst")
    for g in (pv, sst):
        g.v = -70 * mV

    stp_model = "u : 1\nx : 1\nlastupdate : second"
    stp_pre = """
    x = 1 - (1 - x)*exp(-(t - lastupdate)/tauD)
    u = U + (u - U)*exp(-(t - lastupdate)/tauF)
    {target}_post += wsyn*u*x
    x = x - u*x
    u = u + f*(1 - u)
    lastupdate = t
    """
    depressing = dict(U=0.9, f=0.1, tauD=20 * ms, tauF=1000 * ms)
    facilitating = dict(U=0.02, f=0.1, tauD=100 * ms, tauF=100 * ms)
    syns = []

    def connect(src, tgt, target, w, stp, name, autapses=True):
        if stp is None:
            s = b2.Synapses(src, tgt, on_pre=f"{target}_post += wsyn", delay=0.8 * ms, namespace=dict(wsyn=w), name=name)
        else:
            s = b2.Synapses(src, tgt, model=stp_model, on_pre=stp_pre.format(target=target), delay=0.8 * ms,
                            namespace=dict(stp, wsyn=w), name=name)
        s.connect(p=0.05) if autapses else s.connect(condition="i != j", p=0.05)
        if stp is not None:
            s.u = stp["U"]
            s.x = 1.0
        syns.append(s)

    connect(pyr1, pyr2, "ga_s", 0.05, depressing, "pyr1_to_pyr2")
    connect(pyr1, pv, "ge", 0.05, depressing, "pyr1_to_pv")
    connect(pv, pyr2, "gg_s", 0.07, None, "pv_to_pyr2")
    connect(pyr2, pyr1, "ga_d", 0.05, facilitating, "pyr2_to_pyr1")
    connect(pyr2, sst, "ge", 0.3, facilitating, "pyr2_to_sst")
    connect(sst, pyr1, "gg_d", 0.0, None, "sst_to_pyr1")
    connect(pyr1, pyr1, "gg_d", 0.1, facilitating, "pyr1_to_pyr1", autapses=False)
    connect(pyr2, pyr2, "gg_d", 0.1, facilitating, "pyr2_to_pyr2", autapses=False)

    inputs = []
    for g in (pyr1, pyr2):
        for var, w in (("ga_s", 0.35), ("gg_s", 0.35), ("ga_d", 0.05), ("gg_d", 0.05)):
            inputs.append(b2.PoissonInput(g, var, 1, 500 * Hz, weight=w))
    for g, we, wi in ((sst, 0.4, 0.5), (pv, 0.75, 1.125)):
        inputs.append(b2.PoissonInput(g, "ge", 1, 500 * Hz, weight=we))
        inputs.append(b2.PoissonInput(g, "gi", 1, 500 * Hz, weight=wi))
    mons = {g.name: b2.SpikeMonitor(g, name=f"spikes_{g.name}") for g in (pyr1, pyr2, pv, sst)}
    net = b2.Network(pyr1, pyr2, pv, sst, *syns, *inputs, *mons.values())
    return net, mons, syns


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"))
    a = ap.parse_args()
    import brian2 as b2
    project = os.path.join(os.path.abspath(a.out_dir), "fig3_project")
    b2.set_device("cpp_standalone", directory=project, build_on_run=True)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    b2.prefs.core.default_float_dtype = np.float64
    b2.defaultclock.dt = 0.1 * b2.ms
    b2.seed(a.seed)
    net, mons, syns = build(b2, a.duration)
    t0 = time.perf_counter()
    net.run(a.duration * b2.second)
    total = time.perf_counter() - t0
    try:
        with open(os.path.join(project, "results", "last_run_info.txt")) as f:
            run_s = float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        run_s = None
    sizes = {"pyr1": 4000, "pyr2": 4000, "pv": 1000, "sst": 1000}
    out = {"peer": "brian2", "model": "fig3", "brian2_version": b2.__version__, "duration_s": a.duration,
           "synapses": int(sum(len(s) for s in syns)), "run_seconds": run_s, "build_and_run_seconds": total,
           "rates_hz": {k: len(m.t[:]) / (sizes[k] * a.duration) for k, m in mons.items()}}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
