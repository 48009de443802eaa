// Parameter declaration of the `adex` model (dynamics in models/adex.cpp).
#include "core/network.hpp"
#include "models/adex.hpp"

#include <sstream>
#include <string>

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
        {"weights_in_g_L",
         Dim::none,
         0.0,
         0.0,
         1.0,
         "true: exc/inh conductance weights are dimensionless, in units of g_L (Auryn's convention)",
         false,
         false,
         {"false", "true"}},
        {"refractory_hold",
         Dim::none,
         0.0,
         0.0,
         1.0,
         "value V is held at during refractoriness: reset (V_reset) or rest (E_L, as Auryn's AdExGroup)",
         false,
         false,
         {"reset", "rest"}},
        {"integration",
         Dim::none,
         0.0,
         0.0,
         1.0,
         "dopri5: error-controlled Dormand-Prince with exact event and spike times; euler: the published "
         "Auryn code's forward Euler at dt, events and spikes on the step grid (compatibility mode)",
         false,
         false,
         {"dopri5", "euler"}},
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
    m.specialize = [](ModelInfo& r, const PopulationDesc& p) {
        const int k = r.param_index("weights_in_g_L");
        if (k >= 0 && p.params.at(static_cast<std::size_t>(k)) != 0.0)
            for (int i : {0, 1}) {
                r.receptors[static_cast<std::size_t>(i)].weight_dim = Dim::none;
                r.receptors[static_cast<std::size_t>(i)].doc += "; weight in units of g_L (weights_in_g_L)";
            }
    };
    // Payeur et al. 2021 interneurons (code: apayeur/spikingburstprop on Auryn's AdExGroup;
    // shared reference): spike at V > 0 mV, V clipped below at -80 mV, held at E_L while
    // refractory, conductance weights in units of g_L. SST's E_L is not listed there; the
    // AdExGroup default resting potential (-70 mV) is used.
    const std::string src = "Payeur et al. 2021 code (apayeur/spikingburstprop, Auryn AdExGroup)";
    m.presets = {
        {"pv",
         "fast-spiking PV basket cell (targets somata)",
         src,
         {{"g_L", 10.0},
          {"C_m", 100.0},
          {"E_L", -70.0},
          {"Delta_T", 2.0},
          {"V_T", -48.0},
          {"a", 0.0},
          {"b", 0.0},
          {"V_reset", -55.0},
          {"t_ref", 1.0},
          {"I_e", 205.0},
          {"V_peak", 0.0},
          {"V_min", -80.0},
          {"tau_exc", 5.0},
          {"tau_inh", 10.0},
          {"E_exc", 0.0},
          {"E_inh", -80.0},
          {"weights_in_g_L", 1.0},
          {"refractory_hold", 1.0},
          {"integration", 1.0}},
         {}},
        {"sst",
         "adapting SST Martinotti cell (targets apical dendrites)",
         src,
         {{"g_L", 5.0},   {"C_m", 100.0},   {"E_L", -70.0},          {"Delta_T", 4.0},         {"V_T", -61.84},
          {"a", 0.5},     {"b", 10.0},      {"tau_w", 500.0},        {"V_reset", -65.0},       {"t_ref", 2.0},
          {"I_e", 0.0},   {"V_peak", 0.0},  {"V_min", -80.0},        {"tau_exc", 5.0},         {"tau_inh", 10.0},
          {"E_exc", 0.0}, {"E_inh", -80.0}, {"weights_in_g_L", 1.0}, {"refractory_hold", 1.0}, {"integration", 1.0}},
         {}},
    };
    // Checked when the scenario is read, so that the error names the population's line and
    // column (the cell group checks it again when built from code).
    m.check = [reset = m.param_index("V_reset"), peak = m.param_index("V_peak"), vt = m.param_index("V_T"),
               dt = m.param_index("Delta_T")](const PopulationCheck& c) {
        auto p = [&](int k) { return c.params[static_cast<std::size_t>(k)]; };
        // (With Delta_T = 0 the spike is at V_T: models/adex.cpp.)
        const bool exp_term = p(dt) > 0;
        const double top = exp_term ? p(peak) : p(vt);
        if (p(reset) < top) return std::string();
        std::ostringstream o;
        o << "V_reset (" << p(reset) << " mV) must be below " << (exp_term ? "V_peak (" : "V_T (with Delta_T = 0: ")
          << top << " mV)";
        return o.str();
    };
    return m;
}

} // namespace apical::models
