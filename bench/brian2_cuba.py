#!/usr/bin/python3
"""Brian2 C++ standalone peer: Brette et al. 2007 benchmark 2 (CUBA).

Variant (see bench/README.md): 4000 LIF cells (3200 exc, 800 inh), p = 0.02 Bernoulli per pair
(autapses allowed, no multapses), C = 200 pF, gL = 10 nS, EL = -49 mV, threshold -50 mV,
reset -60 mV, refractory 5 ms (V clamped), dt = 0.1 ms, delay 1 ms, exponential currents
+16.2 pA (tau 5 ms) / -90 pA (tau 10 ms). Initial V ~ U[-60, -50] mV, synaptic currents 0.
No external input. Integration: method='exact' (the equations are linear).

Usage: brian2_cuba.py [--duration 10] [--seed 1] [--out-dir bench/out] [--threads 1]
       brian2_cuba.py --analyze-only [--out-dir bench/out]
Prints one JSON line with peer, model, cells, synapses, spikes, mean_rate_hz, cv_isi,
sim_seconds, wall_run_seconds.
"""
import brian2_common as common


def make_network(b2):
    ms, mV, nS, pF, pA = b2.ms, b2.mV, b2.nS, b2.pF, b2.pA
    ns = dict(C=200 * pF, gL=10 * nS, EL=-49 * mV, V_th=-50 * mV, V_reset=-60 * mV,
              tau_exc=5 * ms, tau_inh=10 * ms, w_exc=16.2 * pA, w_inh=-90 * pA)
    eqs = """
    dv/dt = (gL*(EL - v) + i_exc + i_inh) / C : volt (unless refractory)
    di_exc/dt = -i_exc / tau_exc : amp
    di_inh/dt = -i_inh / tau_inh : amp
    """
    P = b2.NeuronGroup(common.N_CELLS, eqs, threshold="v > V_th", reset="v = V_reset",
                       refractory=5 * ms, method="exact", namespace=ns, name="cuba")
    P.v = "-60*mV + 10*mV*rand()"
    P.i_exc = 0 * pA
    P.i_inh = 0 * pA
    Pe, Pi = P[:common.N_EXC], P[common.N_EXC:]
    Ce = b2.Synapses(Pe, P, on_pre="i_exc_post += w_exc", delay=1 * ms, namespace=ns, name="ce")
    Ci = b2.Synapses(Pi, P, on_pre="i_inh_post += w_inh", delay=1 * ms, namespace=ns, name="ci")
    Ce.connect(p=0.02)
    Ci.connect(p=0.02)
    mon = b2.SpikeMonitor(P, name="spikes")
    return b2.Network(P, Ce, Ci, mon), mon, [Ce, Ci]


if __name__ == "__main__":
    common.main("cuba", make_network)
