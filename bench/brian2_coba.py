#!/usr/bin/python3
"""Brian2 C++ standalone peer: Brette et al. 2007 benchmark 1 (COBA).

Variant (see bench/README.md): 4000 LIF cells (3200 exc, 800 inh), p = 0.02 Bernoulli per pair
(autapses allowed, no multapses), C = 200 pF, gL = 10 nS, EL = -60 mV, threshold -50 mV,
reset -60 mV, refractory 5 ms (V clamped), dt = 0.1 ms, delay 1 ms, exponential conductances
+6 nS (tau 5 ms, E 0 mV) / +67 nS (tau 10 ms, E -80 mV). Initial V ~ U[-60, -50] mV,
g_exc ~ N(40 nS, 15 nS), g_inh ~ N(200 nS, 120 nS), clipped at 0. No external input.
Integration: method='exponential_euler' (Brian2's own choice for these equations, and the
method its COBAHH example names).

Usage: brian2_coba.py [--duration 10] [--seed 1] [--out-dir bench/out] [--threads 1]
       brian2_coba.py --analyze-only [--out-dir bench/out]
Prints one JSON line with peer, model, cells, synapses, spikes, mean_rate_hz, cv_isi,
sim_seconds, wall_run_seconds.
"""
import brian2_common as common


def make_network(b2):
    ms, mV, nS, pF = b2.ms, b2.mV, b2.nS, b2.pF
    ns = dict(C=200 * pF, gL=10 * nS, EL=-60 * mV, V_th=-50 * mV, V_reset=-60 * mV,
              tau_exc=5 * ms, tau_inh=10 * ms, E_exc=0 * mV, E_inh=-80 * mV,
              w_exc=6 * nS, w_inh=67 * nS)
    eqs = """
    dv/dt = (gL*(EL - v) + g_exc*(E_exc - v) + g_inh*(E_inh - v)) / C : volt (unless refractory)
    dg_exc/dt = -g_exc / tau_exc : siemens
    dg_inh/dt = -g_inh / tau_inh : siemens
    """
    P = b2.NeuronGroup(common.N_CELLS, eqs, threshold="v > V_th", reset="v = V_reset",
                       refractory=5 * ms, method="exponential_euler", namespace=ns, name="coba")
    P.v = "-60*mV + 10*mV*rand()"
    # Brian2 COBAHH example initialisation: (randn()*1.5 + 4)*10 nS and (randn()*12 + 20)*10 nS,
    # clipped at 0 from below (the upper bound 1 S is never reached).
    P.g_exc = "clip((40 + 15*randn())*nS, 0*nS, 1*siemens)"
    P.g_inh = "clip((200 + 120*randn())*nS, 0*nS, 1*siemens)"
    Pe, Pi = P[:common.N_EXC], P[common.N_EXC:]
    Ce = b2.Synapses(Pe, P, on_pre="g_exc_post += w_exc", delay=1 * ms, namespace=ns, name="ce")
    Ci = b2.Synapses(Pi, P, on_pre="g_inh_post += w_inh", delay=1 * ms, namespace=ns, name="ci")
    Ce.connect(p=0.02)
    Ci.connect(p=0.02)
    mon = b2.SpikeMonitor(P, name="spikes")
    return b2.Network(P, Ce, Ci, mon), mon, [Ce, Ci]


if __name__ == "__main__":
    common.main("coba", make_network)
