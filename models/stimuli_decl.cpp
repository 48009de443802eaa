// Declarations of the stimulus types (their generators live in models/stimuli.cpp).
#include "models/stimuli.hpp"

#include <sstream>

namespace apical::models {
namespace {
KindInfo kind(std::string name, std::string doc, std::vector<ParamDecl> params, bool events,
              std::vector<ParamDecl> lists) {
    KindInfo k;
    k.name = std::move(name);
    k.doc = std::move(doc);
    k.parameters = std::move(params);
    k.emits_events = events;
    k.lists = std::move(lists);
    return k;
}
} // namespace

std::vector<KindInfo> stimulus_kinds() {
    const double inf = std::numeric_limits<double>::infinity();
    auto window = [&](std::vector<ParamDecl> p) {
        p.push_back({"start", Dim::time, 0.0, 0.0, inf, "time the stimulus switches on"});
        p.push_back({"stop", Dim::time, inf, 0.0, inf, "time the stimulus switches off (default: never)"});
        return p;
    };
    std::vector<KindInfo> k;
    k.push_back(kind("poisson",
                     "Independent Poisson spike train into every target cell (its own random stream per "
                     "cell); each spike is an event of `weight` on `receptor`.",
                     window({{"rate", Dim::frequency, 0.0, 0.0, 1e7, "mean rate per cell"}}), true, {}));
    k.push_back(kind("spike_times", "Explicit spike times, delivered to every target cell as events.", {}, true,
                     {{"times", Dim::time, 0.0, 0.0, inf, "event times (ms), any order"}}));
    k.push_back(kind("constant_current", "Constant current injected into `compartment`.",
                     window({{"amplitude", Dim::current, 0.0, -1e9, 1e9, "current"}}), false, {}));
    k.push_back(kind("step_current",
                     "Piecewise-constant current: `values[i]` from `times[i]` until the next time "
                     "(zero before the first).",
                     {}, false,
                     {{"times", Dim::time, 0.0, 0.0, inf, "change times, increasing"},
                      {"values", Dim::current, 0.0, -1e9, 1e9, "amplitude from each time on"}}));
    k.push_back(kind("sinusoidal_current",
                     "I(t) = offset + amplitude * sin(2 pi frequency (t - start) + phase); sampled at "
                     "the middle of each integration step.",
                     window({{"offset", Dim::current, 0.0, -1e9, 1e9, "mean current"},
                             {"amplitude", Dim::current, 0.0, -1e9, 1e9, "peak deviation from offset"},
                             {"frequency", Dim::frequency, 1.0, 0.0, 1e6, "frequency"},
                             {"phase", Dim::none, 0.0, -1e6, 1e6, "phase in radians"}}),
                     false, {}));
    k.push_back(kind("epsp_current",
                     "EPSP-shaped current: amplitude * (exp(-s/tau_decay) - exp(-s/tau_rise)) normalised to peak "
                     "`amplitude`, s = t - start (as the distal current of Hay et al. 2011's BAC protocol); "
                     "sampled at the middle of each integration step.",
                     window({{"amplitude", Dim::current, 0.0, -1e9, 1e9, "peak current"},
                             {"tau_rise", Dim::time, 0.5, 0.0, 1e6, "rise time constant", true},
                             {"tau_decay", Dim::time, 5.0, 0.0, 1e6, "decay time constant (> tau_rise)", true}}),
                     false, {}));
    // Parameters that must fit together: a window that ends before it starts would never be
    // on, and an EPSP shape needs tau_rise < tau_decay (models/stimuli.cpp normalises by the
    // difference of the two exponentials).
    for (KindInfo& x : k) {
        const int start = x.param_index("start"), stop = x.param_index("stop");
        const int rise = x.param_index("tau_rise"), decay = x.param_index("tau_decay");
        x.check_params = [start, stop, rise, decay](const std::vector<double>& p) {
            auto at = [&](int i) { return p[static_cast<std::size_t>(i)]; };
            std::ostringstream o;
            if (start >= 0 && stop >= 0 && at(stop) < at(start))
                o << "stop (" << at(stop) << " ms) is before start (" << at(start) << " ms)";
            else if (rise >= 0 && decay >= 0 && !(at(rise) < at(decay)))
                o << "tau_rise (" << at(rise) << " ms) must be shorter than tau_decay (" << at(decay) << " ms)";
            return o.str();
        };
    }
    return k;
}

std::vector<KindInfo> connectivity_kinds() {
    std::vector<KindInfo> k;
    k.push_back(kind("all_to_all", "Every source cell to every target cell (autapses switchable).", {}, false, {}));
    k.push_back(kind("one_to_one", "Source cell i to target cell i; sizes must match.", {}, false, {}));
    k.push_back(kind("fixed_probability", "Each (source, target) pair independently with probability p.",
                     {{"p", Dim::none, 0.1, 0.0, 1.0, "connection probability"}}, false, {}));
    k.push_back(kind("fixed_indegree",
                     "Each target cell draws exactly `indegree` source cells uniformly (with "
                     "repetition if multapses are allowed).",
                     {{"indegree", Dim::none, 1.0, 0.0, 1e9, "incoming connections per target", false, true}}, false,
                     {}));
    return k;
}

void register_stimuli(Registry& r) {
    for (auto& k : stimulus_kinds()) {
        attach_stimulus_behaviour(k);
        r.add_stimulus(std::move(k));
    }
}
void register_connectivity(Registry& r) {
    for (auto& k : connectivity_kinds()) {
        attach_connectivity_behaviour(k);
        r.add_connectivity(std::move(k));
    }
}

} // namespace apical::models
