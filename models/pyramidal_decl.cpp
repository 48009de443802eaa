// Parameter declaration and shipped parameter sets of the `pyramidal` model family
// (dynamics in models/pyramidal.cpp; equations and sources in docs/models.md).
#include "core/network.hpp"
#include "models/pyramidal.hpp"

namespace apical::models {
namespace {

// naud2018 soma and dendrite (Naud & Sprekeler 2018, PNAS; values read from the published
// Auryn code, apayeur/auryn NaudGroup, as listed in shared/reference). Sign convention: our
// adaptation current enters as -w and jumps by +b, so the published b = -200 pA (somatic)
// and a = -13 nS (dendritic) appear here as b = 200 pA and a = 13 nS.
CompartmentPreset naud_soma() {
    return {"soma", "", {{"C", 370.0}, {"g_L", 370.0 / 16.0}, {"b", 200.0}, {"tau_w", 100.0}}, "soma (tau 16 ms)"};
}
CompartmentPreset naud_dend(const std::string& name) {
    return {name,
            "soma",
            {{"C", 170.0},
             {"g_L", 170.0 / 7.0},
             {"g_c", 0.0},
             {"plateau_g", 1200.0},
             {"plateau_to_parent", 1300.0},
             {"plateau_E", -38.0},
             {"plateau_D", 6.0},
             {"a", 13.0},
             {"tau_w", 30.0},
             {"bap", 2600.0}},
            "apical dendrite with the Ca2+ plateau nonlinearity (tau 7 ms)"};
}

// A basal branch of l5_3c: 150 x 1 um with spine factor 1.5 at 1 uF/cm2 (about 7 pF),
// 50 uS/cm2 leak (0.35 nS, Dendrify examples), coupled to the soma by 3 nS (reference:
// composite, 3-7 nS; Dendrify CA1 basal 3.8 nS); AMPA 2 ms (Bono & Clopath 2017);
// NMDA rise 2 ms, decay 80 ms (50-100 ms: Dendrify, Bono & Clopath 2017, Durstewitz &
// Gabriel 2006), [Mg] 1 mM (Jahr & Stevens 1990 block).
CompartmentPreset basal(int k) {
    return {
        "basal" + std::to_string(k),
        "soma",
        {{"C", 7.0}, {"g_L", 0.35}, {"g_c", 3.0}, {"tau_ampa", 2.0}, {"tau_nmda_rise", 2.0}, {"tau_nmda_decay", 80.0}},
        "basal branch, passive, NMDA plateaus"};
}

} // namespace

ModelInfo pyramidal_info() {
    ModelInfo m;
    m.name = "pyramidal";
    m.doc = "Multi-compartment pyramidal cell: a tree of compartments (soma at the root) coupled by axial "
            "conductances and by plateau currents, each with leak, subthreshold and spike-triggered "
            "adaptation, an optional sigmoidal plateau (Ca2+) nonlinearity, back-propagating-spike current, "
            "and AMPA, NMDA (Mg2+ block), GABA_A and GABA_B receptors; adaptive threshold at the soma. "
            "Integrated with Boost.Odeint's fixed-step RK4 (steps no longer than dt, split at event times, "
            "spike times located inside the step); naud2018 runs the published code's forward-Euler "
            "update order instead (compatibility mode).";
    // Cell-level parameters. Defaults: the naud2018 soma (Naud & Sprekeler 2018, Auryn code).
    m.parameters = {
        {"theta_0", Dim::voltage, -50.0, -200.0, 200.0, "resting spike threshold (soma)"},
        {"theta_jump", Dim::voltage, 2.0, 0.0, 200.0, "threshold increase at each spike"},
        {"tau_theta", Dim::time, 27.0, 0.0, 1e9, "threshold relaxation time constant", true},
        {"V_reset", Dim::voltage, -70.0, -200.0, 200.0, "somatic reset potential"},
        {"t_ref", Dim::time, 0.0, 0.0, 1e6, "absolute refractory period (soma held at V_reset)"},
        {"bap_delay", Dim::time, 0.0, 0.0, 1e6, "bAP current box: start after the somatic spike"},
        {"bap_duration", Dim::time, 2.0, 0.0, 1e6, "bAP current box: duration (a new spike restarts it)"},
        {"naud2018_conventions", Dim::none, 0.0, 0.0, 1.0,
         "1: the published code's conventions (weights in units of the target compartment's leak "
         "conductance, synaptic driving force from the somatic voltage, forward Euler at dt in its "
         "update order, events and spikes on the step grid); 0: weights in nS, driving force from the "
         "compartment's own voltage, RK4 with exact event times",
         false, true},
    };
    m.variables = {{"theta", Dim::voltage, "spike threshold (soma)"}};
    m.compartment_parameters = {
        {"C", Dim::capacitance, 100.0, 0.0, 1e9, "membrane capacitance", true},
        {"g_L", Dim::conductance, 10.0, 0.0, 1e9, "leak conductance", true},
        {"E_L", Dim::voltage, -70.0, -200.0, 200.0, "leak reversal potential"},
        {"g_c", Dim::conductance, 0.0, 0.0, 1e9,
         "axial conductance to the parent compartment (0: coupled only through plateau_to_parent)"},
        {"plateau_g", Dim::current, 0.0, -1e9, 1e9, "plateau current into this compartment at full activation"},
        {"plateau_to_parent", Dim::current, 0.0, -1e9, 1e9,
         "plateau current this compartment's nonlinearity drives into its parent"},
        {"plateau_E", Dim::voltage, -38.0, -200.0, 200.0, "plateau half-activation voltage"},
        {"plateau_D", Dim::voltage, 6.0, 0.0, 1e3, "plateau activation slope", true},
        {"a", Dim::conductance, 0.0, -1e6, 1e6, "subthreshold adaptation"},
        {"tau_w", Dim::time, 100.0, 0.0, 1e9, "adaptation time constant", true},
        {"b", Dim::current, 0.0, -1e6, 1e6, "adaptation increment at each somatic spike"},
        {"bap", Dim::current, 0.0, -1e9, 1e9, "back-propagating spike current (box after each somatic spike)"},
        {"I_e", Dim::current, 0.0, -1e9, 1e9, "constant bias current"},
        {"tau_ampa", Dim::time, 5.0, 0.0, 1e6, "AMPA decay time constant", true},
        {"E_ampa", Dim::voltage, 0.0, -200.0, 200.0, "AMPA reversal potential"},
        {"tau_nmda_rise", Dim::time, 2.0, 0.0, 1e6, "NMDA rise time constant", true},
        {"tau_nmda_decay", Dim::time, 100.0, 0.0, 1e6, "NMDA decay time constant (> rise)", true},
        {"E_nmda", Dim::voltage, 0.0, -200.0, 200.0, "NMDA reversal potential"},
        {"Mg", Dim::concentration, 1.0, 0.0, 100.0, "extracellular [Mg2+] of the NMDA block"},
        {"tau_gaba_a", Dim::time, 10.0, 0.0, 1e6, "GABA_A decay time constant", true},
        {"E_gaba_a", Dim::voltage, -80.0, -200.0, 200.0, "GABA_A reversal potential"},
        {"tau_gaba_b_rise", Dim::time, 50.0, 0.0, 1e6, "GABA_B rise time constant", true},
        {"tau_gaba_b_decay", Dim::time, 200.0, 0.0, 1e6, "GABA_B decay time constant (> rise)", true},
        {"E_gaba_b", Dim::voltage, -95.0, -200.0, 200.0, "GABA_B reversal potential (K+)"},
    };
    m.compartment_variables = {
        {"v", Dim::voltage, "membrane potential"},
        {"w", Dim::current, "adaptation current"},
        {"plateau", Dim::none, "plateau activation f(V)"},
        {"g_ampa", Dim::conductance, "AMPA conductance"},
        {"g_nmda", Dim::conductance, "NMDA conductance before the Mg2+ block"},
        {"g_gaba_a", Dim::conductance, "GABA_A conductance"},
        {"g_gaba_b", Dim::conductance, "GABA_B conductance"},
    };
    m.receptors = {
        {"ampa", Dim::conductance, "AMPA: exponential conductance (tau_ampa, E_ampa)"},
        {"nmda", Dim::conductance, "NMDA: difference of exponentials normalised to peak = weight, Mg2+ block"},
        {"gaba_a", Dim::conductance, "GABA_A: exponential conductance (tau_gaba_a, E_gaba_a)"},
        {"gaba_b", Dim::conductance, "GABA_B: difference of exponentials normalised to peak = weight"},
    };
    // The weight unit depends on the conventions switch.
    m.specialize = [](ModelInfo& r, const PopulationDesc& p) {
        const int k = r.param_index("naud2018_conventions");
        if (k >= 0 && p.params.at(static_cast<std::size_t>(k)) != 0.0)
            for (auto& rc : r.receptors) {
                rc.weight_dim = Dim::none;
                rc.doc += "; weight in units of the target compartment's leak conductance (naud2018 conventions)";
            }
    };
    m.default_compartments = {{"soma", "", {}, "soma"}};

    ParamPreset naud{"naud2018",
                     "two-compartment burst-multiplexing cell (soma, dend) in the published code's conventions: "
                     "weights in units of leak conductance, dendritic driving force from the soma, forward Euler "
                     "in Auryn's update order on the dt grid (compatibility mode)",
                     "Naud & Sprekeler 2018 PNAS; Payeur et al. 2021 code (apayeur/auryn NaudGroup)",
                     {{"naud2018_conventions", 1.0}},
                     {naud_soma(), naud_dend("dend")}};
    ParamPreset naud_exact{"naud2018_exact",
                           "the naud2018 cell with physical conventions: weights in nS, each compartment's synapses "
                           "driven by its own voltage, RK4 with exact event and spike times",
                           "Naud & Sprekeler 2018 PNAS (cell); conventions: Apical",
                           {},
                           {naud_soma(), naud_dend("dend")}};
    ParamPreset l5{"l5_3c",
                   "soma + apical Ca2+ zone (the naud2018 cell) + five passive basal branches with NMDA "
                   "plateaus; physical conventions, RK4",
                   "composite: Naud & Sprekeler 2018 (soma, apical); basal branches after Dendrify examples, "
                   "Bono & Clopath 2017, Jahr & Stevens 1990 (see docs/models.md)",
                   {},
                   {naud_soma(), naud_dend("apical"), basal(0), basal(1), basal(2), basal(3), basal(4)}};
    m.presets = {naud, naud_exact, l5};
    return m;
}

} // namespace apical::models
