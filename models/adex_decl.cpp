// Parameter declaration of the `adex` model (dynamics in models/adex.cpp).
#include "models/adex.hpp"

namespace apical::models {

ModelInfo adex_info() {
    ModelInfo m;
    m.name = "adex";
    m.doc = "Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005) with "
            "exponential current- and conductance-based synapses. Integrated with a Boost.Odeint "
            "error-controlled Dormand-Prince 5(4) stepper with dense output, steps no longer than dt and "
            "split at event times; spike when V crosses "
            "V_peak, the crossing time located inside the step.";
    // Defaults: Brette & Gerstner 2005, J Neurophysiol 94:3637, Table 1 (tonic cell);
    // V_peak 0 mV as in NEST's aeif_cond_exp; synapses as in the lif model.
    m.parameters = {
        {"C_m", Dim::capacitance, 281.0, 0.0, 1e9, "membrane capacitance", true},
        {"g_L", Dim::conductance, 30.0, 0.0, 1e9, "leak conductance", true},
        {"E_L", Dim::voltage, -70.6, -200.0, 200.0, "leak reversal potential"},
        {"V_T", Dim::voltage, -50.4, -200.0, 200.0, "threshold of the exponential term"},
        {"Delta_T", Dim::voltage, 2.0, 0.0, 100.0, "slope factor (0: plain LIF with threshold V_T)"},
        {"V_peak", Dim::voltage, 0.0, -200.0, 200.0, "spike detection voltage"},
        {"V_reset", Dim::voltage, -70.6, -200.0, 200.0, "reset potential"},
        {"V_min", Dim::voltage, -200.0, -1000.0, 200.0, "lower clip of the membrane potential"},
        {"t_ref", Dim::time, 0.0, 0.0, 1e6, "absolute refractory period (V held at V_reset)"},
        {"a", Dim::conductance, 4.0, -1e6, 1e6, "subthreshold adaptation"},
        {"b", Dim::current, 80.5, -1e6, 1e6, "spike-triggered adaptation increment"},
        {"tau_w", Dim::time, 144.0, 0.0, 1e9, "adaptation time constant", true},
        {"I_e", Dim::current, 0.0, -1e9, 1e9, "constant bias current"},
        {"tau_exc", Dim::time, 5.0, 0.0, 1e6, "decay time constant of excitatory synapses", true},
        {"tau_inh", Dim::time, 10.0, 0.0, 1e6, "decay time constant of inhibitory synapses", true},
        {"E_exc", Dim::voltage, 0.0, -200.0, 200.0, "excitatory reversal potential"},
        {"E_inh", Dim::voltage, -80.0, -200.0, 200.0, "inhibitory reversal potential"},
    };
    m.receptors = {
        {"exc", Dim::conductance, "excitatory conductance jump (tau_exc, E_exc)"},
        {"inh", Dim::conductance, "inhibitory conductance jump (tau_inh, E_inh)"},
        {"exc_current", Dim::current, "excitatory current jump (tau_exc)"},
        {"inh_current", Dim::current, "inhibitory current jump (tau_inh)"},
    };
    m.variables = {
        {"v", Dim::voltage, "membrane potential"},
        {"w", Dim::current, "adaptation current"},
        {"g_exc", Dim::conductance, "excitatory conductance"},
        {"g_inh", Dim::conductance, "inhibitory conductance"},
        {"i_exc", Dim::current, "excitatory synaptic current"},
        {"i_inh", Dim::current, "inhibitory synaptic current"},
    };
    return m;
}

} // namespace apical::models
