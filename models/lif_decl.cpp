// Parameter declaration of the `lif` model (the dynamics live in models/lif.cpp).
#include "models/lif.hpp"

#include <sstream>
#include <string>

namespace apical::models {

ModelInfo lif_info() {
    ModelInfo m;
    m.name = "lif";
    m.doc = "Leaky integrate-and-fire neuron with exponential current- and conductance-based "
            "synapses and an absolute refractory period. Integrated exactly between events when "
            "no conductance input is present; otherwise by RK4 on the membrane with exact "
            "conductance decay, steps split at event times.";
    // Defaults: Brette et al. 2007, J Comput Neurosci 23:349, benchmark 1 (COBA).
    m.parameters = {
        {"C_m", Dim::capacitance, 200.0, 0.0, 1e9, "membrane capacitance", true},
        {"g_L", Dim::conductance, 10.0, 0.0, 1e9, "leak conductance", true},
        {"E_L", Dim::voltage, -60.0, -200.0, 200.0, "leak reversal potential"},
        {"V_th", Dim::voltage, -50.0, -200.0, 200.0, "spike threshold"},
        {"V_reset", Dim::voltage, -60.0, -200.0, 200.0, "reset potential"},
        {"t_ref", Dim::time, 5.0, 0.0, 1e6, "absolute refractory period (V held at V_reset)"},
        {"I_e", Dim::current, 0.0, -1e9, 1e9, "constant bias current"},
        {"tau_exc", Dim::time, 5.0, 0.0, 1e6, "decay time constant of excitatory synapses", true},
        {"tau_inh", Dim::time, 10.0, 0.0, 1e6, "decay time constant of inhibitory synapses", true},
        {"E_exc", Dim::voltage, 0.0, -200.0, 200.0, "excitatory reversal potential"},
        {"E_inh", Dim::voltage, -80.0, -200.0, 200.0, "inhibitory reversal potential"},
    };
    m.receptors = {
        {"exc", Dim::conductance, "excitatory conductance jump (decays with tau_exc, reversal E_exc)"},
        {"inh", Dim::conductance, "inhibitory conductance jump (decays with tau_inh, reversal E_inh)"},
        {"exc_current", Dim::current, "excitatory current jump (decays with tau_exc)"},
        {"inh_current", Dim::current, "inhibitory current jump (decays with tau_inh); use a negative weight"},
        {"voltage", Dim::voltage, "instantaneous jump of the membrane potential"},
    };
    m.variables = {
        {"v", Dim::voltage, "membrane potential"},
        {"g_exc", Dim::conductance, "excitatory conductance"},
        {"g_inh", Dim::conductance, "inhibitory conductance"},
        {"i_exc", Dim::current, "excitatory synaptic current (current-based receptor)"},
        {"i_inh", Dim::current, "inhibitory synaptic current (current-based receptor)"},
    };
    m.presets = {
        {"brette2007_coba", "COBA benchmark cell", "Brette et al. 2007, benchmark 1", {}, {}},
        {"brette2007_cuba",
         "CUBA benchmark cell (E_L = -49 mV)",
         "Brette et al. 2007, benchmark 2",
         {{"E_L", -49.0}},
         {}},
    };
    // Checked when the scenario is read, so that the error names the population's line and
    // column (the cell group checks it again when built from code).
    m.check = [reset = m.param_index("V_reset"), top = m.param_index("V_th")](const PopulationCheck& c) {
        const double vr = c.params[static_cast<std::size_t>(reset)], vt = c.params[static_cast<std::size_t>(top)];
        if (vr < vt) return std::string();
        std::ostringstream o;
        o << "V_reset (" << vr << " mV) must be below V_th (" << vt << " mV)";
        return o.str();
    };
    return m;
}

} // namespace apical::models
