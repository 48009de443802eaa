#!/usr/bin/python3
"""Brian2 C++ standalone peer: 4000 naud2018 two-compartment cells with background noise
(issue 3; the Apical side is bench/naud2018_noise.yaml, the variant is in bench/README.md).

Cell (Naud & Sprekeler 2018; conventions of the published Auryn code, shared reference
"pyramidal-microcircuit.md"), written with the published signs (b < 0, a < 0):

    f(Vd)      = 1 / (1 + exp(-(Vd - Ed) / Dd))
    Cs dVs/dt  = -gLs (Vs - EL) + gs f(Vd) + b ws + Is + Isyn_s
    Cd dVd/dt  = -gLd (Vd - EL) + gd f(Vd) + cd K(t) + a wd + Id + Isyn_d
    tau_ws dws/dt = -ws                  ws += 1 at a spike
    tau_wd dwd/dt = (Vd - EL) - wd
    tau_theta dtheta/dt = theta0 - theta  theta += 2 mV at a spike
    spike: Vs > theta; Vs <- EL (no refractory period)
    K(t) = 1 during the 20 steps (2 ms) after the step of the latest spike, else 0
    Isyn_x = gA_x (E_A - Vs) + gG_x (E_G - Vs)   both compartments: SOMATIC driving force
    gA, gG: exponential conductances (5 ms / 10 ms), an event adds weight * gL of the target
    compartment (weights 0.35 soma, 0.05 dendrite).

EL -70 mV; Cs 370 pF, tau_s 16 ms; gs 1300 pA; tau_ws 100 ms, b -200 pA; Cd 170 pF, tau_d 7 ms;
gd 1200 pA; tau_wd 30 ms, a -13 nS; cd 2600 pA for 2 ms; Ed -38 mV, Dd 6 mV; theta0 -50 mV,
+2 mV, tau_theta 27 ms. Constant currents Is = I_SOMA, Id = I_DEND (below; the same values as
bench/naud2018_noise.yaml). Initial Vs ~ normal(-70 mV, 5 mV); Vd = EL; everything else 0 /
theta0.

Background noise: every cell has its own four Poisson inputs (500 Hz AMPA and 500 Hz GABA on
the soma, the same on the dendrite), implemented with Brian2's PoissonInput, one object per
input type: per time step and cell one binomial(N, rate/N * dt) draw (Brian2 generates an
inversion sampler: usually one uniform number per draw), added times the weight to the
conductance. PoissonInput is the efficient Brian2 way (no Synapses object, no spike queue); a
PoissonGroup + Synapses would cost Brian2 considerably more and is not what a Brian2 user
would write for independent background noise.
N = NOISE_SOURCES = 20 sources at 25 Hz each, not N = 1 at 500 Hz: a 500 Hz Poisson process
(what Apical's `poisson` stimulus draws: exponential intervals, events placed on the step grid)
has a Poisson count per 0.1 ms step, mean 0.05 and variance 0.05; binomial(1, 0.05) has
variance 0.0475 (at most one event per step), binomial(20, 0.0025) 0.049875. The 5 % less input
variance of N = 1 lowers the rate by about 6 % (measured, 2 s, seed 1: 7.73 Hz with N = 1,
8.21 Hz with N = 20, Apical 8.36 Hz; burst probability 0.174 / 0.187 / 0.188). The cost is
the same (N = 20 ran slightly faster: 4.7 s against 5.2 s for 2 s of biological time).

Integration: method='euler' (forward Euler) at dt = 0.1 ms. Update order per step in Brian2's
default schedule: (1) all state variables advance together by Euler from the old state
(groups); (2) threshold Vs > theta (thresholds); (3) PoissonInput events added to the
conductances (synapses); (4) reset (resets). Apical's naud2018 compatibility mode (Auryn's
order, models/pyramidal.cpp) differs in these details, all O(dt) or smaller:
  - Apical adds a step's input events to the conductances BEFORE computing the synaptic
    currents of that step; here they are added after the integration, so they act one step
    (0.1 ms) later. Same statistics, shifted by one step.
  - Apical decays the conductances and ws exactly (factor exp(-dt/tau)); Euler here uses
    (1 - dt/tau): the charge of one event is w tau here against w (tau + dt/2) in Apical
    (1 % more for AMPA, 0.5 % for GABA).
  - Apical advances wd by Euler with the NEW Vd; here from the old Vd.
  - Spike times: Brian2 records the start of the crossing step, Apical its end (+0.1 ms for
    every spike; no effect on rates, ISIs or bursts).
  - The bAP box covers the same 20 steps after the spike step in both.
The exact-versus-Euler decay is the largest of these: replacing tau by dt / (1 - exp(-dt/tau))
(Euler then decays by exactly exp(-dt/tau)) raised Brian2's rate by about 3 % (2 s, seed 1:
8.45 Hz against 8.21 Hz). The benchmark keeps plain Euler, as asked of the peer.

Usage: brian2_naud2018.py [--duration 10] [--seed 1] [--out-dir bench/out] [--threads 1]
       brian2_naud2018.py --analyze-only [--out-dir bench/out]
Prints one JSON line (as brian2_coba.py) plus "bursts": events, bursts, event rate, burst
probability and fraction of spikes in bursts (16 ms rule, bench/spike_stats.py).
"""
import brian2_common as common

N_CELLS = 4000
# Constant currents (must equal bench/naud2018_noise.yaml's compartments.soma.I_e and
# compartments.dend.I_e).
I_SOMA_PA = 0.0
I_DEND_PA = 0.0
# Background noise (shared reference): rate, soma weights, dendrite weights (x leak conductance).
NOISE_RATE_HZ = 500.0
NOISE_SOURCES = 20      # PoissonInput N: binomial(20, 0.0025) per step, close to Poisson(0.05)
W_SOMA = (0.35, 0.35)   # AMPA, GABA
W_DEND = (0.05, 0.05)


def make_network(b2):
    ms, mV, nS, pF, pA, Hz = b2.ms, b2.mV, b2.nS, b2.pF, b2.pA, b2.Hz
    Cs, Cd = 370 * pF, 170 * pF
    ns = dict(EL=-70 * mV, Cs=Cs, gLs=Cs / (16 * ms), gs=1300 * pA, tau_ws=100 * ms, b=-200 * pA,
              Cd=Cd, gLd=Cd / (7 * ms), gd=1200 * pA, tau_wd=30 * ms, a=-13 * nS,
              cd=2600 * pA, bap_dur=2 * ms, Ed=-38 * mV, Dd=6 * mV,
              theta0=-50 * mV, theta_jump=2 * mV, tau_theta=27 * ms,
              tauA=5 * ms, EA=0 * mV, tauG=10 * ms, EG=-80 * mV,
              Is=I_SOMA_PA * pA, Id=I_DEND_PA * pA)
    eqs = """
    dvs/dt = (-gLs*(vs - EL) + gs*fd + b*ws + Is + Isyn_s) / Cs : volt
    dvd/dt = (-gLd*(vd - EL) + gd*fd + cd*K + a*wd + Id + Isyn_d) / Cd : volt
    fd = 1 / (1 + exp(-(vd - Ed) / Dd)) : 1
    K = int(t - tspike > 0.5*dt) * int(t - tspike < bap_dur + 0.5*dt) : 1
    dws/dt = -ws / tau_ws : 1
    dwd/dt = ((vd - EL) - wd) / tau_wd : volt
    dtheta/dt = (theta0 - theta) / tau_theta : volt
    Isyn_s = gAs*(EA - vs) + gGs*(EG - vs) : amp
    Isyn_d = gAd*(EA - vs) + gGd*(EG - vs) : amp
    dgAs/dt = -gAs / tauA : siemens
    dgGs/dt = -gGs / tauG : siemens
    dgAd/dt = -gAd / tauA : siemens
    dgGd/dt = -gGd / tauG : siemens
    tspike : second
    """
    P = b2.NeuronGroup(N_CELLS, eqs, threshold="vs > theta",
                       reset="vs = EL; theta += theta_jump; ws += 1; tspike = t",
                       method="euler", namespace=ns, name="naud")
    P.vs = "-70*mV + 5*mV*randn()"
    P.vd = ns["EL"]
    P.theta = ns["theta0"]
    P.tspike = -1e9 * ms
    rate = NOISE_RATE_HZ * Hz
    gLs, gLd = ns["gLs"], ns["gLd"]
    noise = [
        b2.PoissonInput(P, "gAs", N=NOISE_SOURCES, rate=rate / NOISE_SOURCES, weight=W_SOMA[0] * gLs),
        b2.PoissonInput(P, "gGs", N=NOISE_SOURCES, rate=rate / NOISE_SOURCES, weight=W_SOMA[1] * gLs),
        b2.PoissonInput(P, "gAd", N=NOISE_SOURCES, rate=rate / NOISE_SOURCES, weight=W_DEND[0] * gLd),
        b2.PoissonInput(P, "gGd", N=NOISE_SOURCES, rate=rate / NOISE_SOURCES, weight=W_DEND[1] * gLd),
    ]
    mon = b2.SpikeMonitor(P, name="spikes")
    return b2.Network(P, *noise, mon), mon, []


if __name__ == "__main__":
    common.main("naud2018", make_network, populations=(("pyr", 0, N_CELLS),), bursts=True)
