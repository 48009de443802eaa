// Helpers for tests that build networks directly (no scenario file) and record in memory.
#pragma once
#include "core/recording.hpp"
#include "core/simulation.hpp"
#include "core/state_io.hpp"
#include "models/builtin.hpp"

#include <map>
#include <string>
#include <vector>

namespace apical::test {

struct MemorySink : RecordingSink {
    struct Pop {
        std::vector<double> times;
        std::vector<std::uint64_t> ids;
    };
    std::map<std::uint32_t, Pop> pops;
    std::map<std::uint32_t, std::vector<float>> probe_rows; // concatenated rows
    void spikes(std::uint32_t p, std::span<const double> t, std::span<const std::uint64_t> id) override {
        auto& x = pops[p];
        x.times.insert(x.times.end(), t.begin(), t.end());
        x.ids.insert(x.ids.end(), id.begin(), id.end());
    }
    void samples(std::uint32_t probe, std::span<const float> rows, std::size_t) override {
        auto& r = probe_rows[probe];
        r.insert(r.end(), rows.begin(), rows.end());
    }
};

// Runs `net` from the start to t (ms) and returns what it recorded.
inline MemorySink run_network(const NetworkDesc& net, SimulationOptions o, double t) {
    const Registry r = models::builtin_registry();
    Simulation sim(net, r, o);
    MemorySink sink;
    sim.run(t, sink);
    return sink;
}

// Runs `net` to t_save with options `first`, saves its state, restores it into a new
// simulation with options `second` and runs that to t_end: the spikes of both parts, joined,
// as one uninterrupted run would record them.
inline MemorySink run_with_restart(const NetworkDesc& net, SimulationOptions first, SimulationOptions second,
                                   double t_save, double t_end) {
    const Registry r = models::builtin_registry();
    Simulation a(net, r, first);
    MemorySink out;
    a.run(t_save, out);
    StateWriter w;
    a.save_state(w);
    Simulation b(net, r, second);
    StateReader in(w.bytes());
    b.load_state(in);
    if (!in.at_end()) throw CheckpointError("run_with_restart: the state holds more than the network read");
    b.run(t_end, out);
    return out;
}

inline PopulationDesc population(const Registry& r, const std::string& name, const std::string& model,
                                 std::uint32_t size, std::map<std::string, double> params = {}) {
    const ModelInfo* m = r.model(model);
    PopulationDesc p;
    p.name = name;
    p.model = model;
    p.size = size;
    p.params = default_values(m->parameters);
    for (auto& [k, v] : params) p.params.at(static_cast<std::size_t>(m->param_index(k))) = v;
    return p;
}

inline Distribution constant(double v) {
    Distribution d;
    d.a = v;
    return d;
}

inline ProjectionDesc projection(const Registry& r, const NetworkDesc& net, std::uint32_t src, std::uint32_t tgt,
                                 const std::string& receptor, const std::string& rule, std::vector<double> rule_params,
                                 double weight, double delay) {
    ProjectionDesc p;
    p.name = net.populations[src].name + "_" + net.populations[tgt].name;
    p.source = src;
    p.target = tgt;
    p.receptor = static_cast<std::uint16_t>(r.model(net.populations[tgt].model)->receptor_index(receptor));
    p.rule = rule;
    p.rule_params = std::move(rule_params);
    p.weight = constant(weight);
    p.delay = constant(delay);
    return p;
}

inline StimulusDesc stimulus(const Registry& r, const NetworkDesc& net, const std::string& type, std::uint32_t tgt,
                             std::map<std::string, double> params, const std::string& receptor = "",
                             double weight = 0.0) {
    const KindInfo* k = r.stimulus(type);
    StimulusDesc s;
    s.name = type;
    s.type = type;
    s.target = tgt;
    s.params = default_values(k->parameters);
    for (auto& [n, v] : params) s.params.at(static_cast<std::size_t>(k->param_index(n))) = v;
    if (!receptor.empty())
        s.receptor = static_cast<std::uint16_t>(r.model(net.populations[tgt].model)->receptor_index(receptor));
    s.weight = weight;
    return s;
}

// Every population's first state variable (v of lif) starts uniform in [lo, hi] mV, drawn per
// cell: activity that does not start in lockstep.
inline void uniform_initial_v(NetworkDesc& net, double lo, double hi) {
    for (auto& p : net.populations) {
        Distribution v;
        v.kind = Distribution::Kind::uniform;
        v.a = lo, v.b = hi;
        p.initial.push_back({0, v});
    }
}

// Two LIF populations with every spike hook: a -> b with STP and payeur2021, b -> a
// transmitting bursts with STDP, a -> a transmitting events with STP, Poisson drive on both,
// both populations burst-classified, weight probes on the two plastic projections. The
// figures that differ between the tests that use it are arguments.
struct HookedNet {
    double w_ab, w_ba;      // weights of a -> b and b -> a
    double rate, drive;     // Poisson rate (Hz) and weight (nS) per population
    double probe_interval;  // ms, both weight probes
    std::string burst_rule; // empty: the network's default
};

inline NetworkDesc hooked_network(const Registry& r, const HookedNet& h) {
    NetworkDesc net;
    net.seed = 7;
    net.dt = 0.1;
    if (!h.burst_rule.empty()) net.burst_rule = h.burst_rule;
    net.populations.push_back(population(r, "a", "lif", 300));
    net.populations.push_back(population(r, "b", "lif", 300));
    uniform_initial_v(net, -60.0, -50.0);
    auto ab = projection(r, net, 0, 1, "exc", "fixed_probability", {0.1}, h.w_ab, 1.0);
    ab.stp = "tsodyks_markram";
    ab.stp_params = {0.02, 0.1, 100.0, 100.0};
    ab.plasticity = "payeur2021";
    ab.plasticity_params = {0.01, 100.0, 1000.0, 2.0, 12.0, 0.0, 10.0, 5.0, 1.0};
    net.projections.push_back(ab);
    auto ba = projection(r, net, 1, 0, "exc", "fixed_probability", {0.1}, h.w_ba, 1.0);
    ba.transmit = ProjectionDesc::Transmit::bursts;
    ba.plasticity = "stdp";
    ba.plasticity_params = {0.01, 0.012, 20.0, 20.0, 0.0, 10.0};
    net.projections.push_back(ba);
    auto aa = projection(r, net, 0, 0, "inh", "fixed_probability", {0.1}, 2.0, 1.5);
    aa.transmit = ProjectionDesc::Transmit::events;
    aa.stp = "tsodyks_markram";
    aa.stp_params = {0.9, 0.1, 20.0, 1000.0};
    net.projections.push_back(aa);
    for (std::uint32_t t = 0; t < 2; ++t)
        net.stimuli.push_back(stimulus(r, net, "poisson", t, {{"rate", h.rate}}, "exc", h.drive));
    net.classify = {true, true};
    net.weight_probes = {{0, h.probe_interval, 5}, {1, h.probe_interval, 5}};
    return net;
}

} // namespace apical::test
