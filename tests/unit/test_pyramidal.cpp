// pyramidal: closed forms of the passive tree, rest without drift, convergence order of the
// RK4 path and of the naud2018 (Euler) compatibility path, weight conventions.
#include "sim_helpers.hpp"

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include <cmath>

using namespace apical;
using namespace apical::test;

namespace {

const Registry& reg() {
    static const Registry r = models::builtin_registry();
    return r;
}

CompartmentDesc compartment(const std::string& name, int parent, std::map<std::string, double> values) {
    const ModelInfo* m = reg().model("pyramidal");
    CompartmentDesc c;
    c.name = name;
    c.parent = parent;
    c.params = default_values(m->compartment_parameters);
    for (auto& [k, v] : values) {
        bool found = false;
        for (std::size_t i = 0; i < m->compartment_parameters.size(); ++i)
            if (m->compartment_parameters[i].name == k) c.params[i] = v, found = true;
        REQUIRE(found);
    }
    return c;
}

// A population from a preset's tree (values as the scenario reader lowers them).
PopulationDesc preset_population(const std::string& preset, std::uint32_t size,
                                 std::map<std::string, double> params = {}) {
    const ModelInfo* m = reg().model("pyramidal");
    PopulationDesc p = population(reg(), "pyr", "pyramidal", size);
    const ParamPreset* ps = m->preset(preset);
    REQUIRE(ps);
    for (auto& [k, v] : ps->values) p.params.at(static_cast<std::size_t>(m->param_index(k))) = v;
    for (auto& [k, v] : params) p.params.at(static_cast<std::size_t>(m->param_index(k))) = v;
    for (auto& cp : ps->compartments) {
        int parent = -1;
        for (std::size_t i = 0; i < p.compartments.size(); ++i)
            if (p.compartments[i].name == cp.parent) parent = static_cast<int>(i);
        p.compartments.push_back(compartment(cp.name, parent, cp.values));
    }
    return p;
}

int var(const NetworkDesc& net, const std::string& name) {
    const ModelInfo m = population_model(*reg().model("pyramidal"), net.populations[0]);
    const int k = m.variable_index(name);
    REQUIRE(k >= 0);
    return k;
}

StimulusDesc current(const NetworkDesc& net, const std::string& comp, double amplitude) {
    StimulusDesc s = stimulus(reg(), net, "constant_current", 0, {{"amplitude", amplitude}});
    for (std::size_t i = 0; i < net.populations[0].compartments.size(); ++i)
        if (net.populations[0].compartments[i].name == comp) s.compartment = static_cast<std::uint16_t>(i);
    return s;
}

} // namespace

TEST_CASE("passive two-compartment cell: step response against the closed form", "[pyramidal][closed-form]") {
    // C1 dV1/dt = -g1 (V1 - E) + gc (V2 - V1) + I,  C2 dV2/dt = -g2 (V2 - E) + gc (V1 - V2).
    // With u = V - E: du/dt = A u + b, u(0) = 0, u(t) = (exp(A t) - 1) A^-1 b, evaluated through
    // the eigen-decomposition of the 2x2 matrix A (real, distinct eigenvalues).
    const double C1 = 200, g1 = 10, C2 = 50, g2 = 2, gc = 5, E = -70, I = 100;
    NetworkDesc net;
    net.dt = 0.1;
    PopulationDesc p = population(reg(), "pyr", "pyramidal", 1, {{"theta_0", 100.0}});
    p.compartments.push_back(compartment("soma", -1, {{"C", C1}, {"g_L", g1}, {"E_L", E}}));
    p.compartments.push_back(compartment("dend", 0, {{"C", C2}, {"g_L", g2}, {"E_L", E}, {"g_c", gc}}));
    net.populations.push_back(p);
    net.stimuli.push_back(current(net, "soma", I));
    net.probes.push_back({"v", 0, {var(net, "v_soma"), var(net, "v_dend")}, {0}, 0.1});
    MemorySink sink;
    Simulation sim(net, reg(), {1});
    sim.run(1000.0, sink);

    const double a = -(g1 + gc) / C1, b = gc / C1, c = gc / C2, d = -(g2 + gc) / C2;
    const double tr = a + d, det = a * d - b * c, disc = std::sqrt(tr * tr / 4 - det);
    const double l1 = tr / 2 + disc, l2 = tr / 2 - disc;
    // Eigenvectors (b, l - a); forcing f = (I/C1, 0) = k1 e1 + k2 e2.
    const double e1x = b, e1y = l1 - a, e2x = b, e2y = l2 - a;
    const double f0 = I / C1, den = e1x * e2y - e2x * e1y;
    const double k1 = (f0 * e2y) / den, k2 = (-f0 * e1y) / den;
    const auto& rows = sink.probe_rows[0];
    REQUIRE(rows.size() == 2 * 10000);
    double err = 0;
    for (std::size_t n = 0; n < 10000; ++n) {
        const double t = 0.1 * static_cast<double>(n);
        const double s1 = k1 * (std::exp(l1 * t) - 1) / l1, s2 = k2 * (std::exp(l2 * t) - 1) / l2;
        err = std::max(err, std::abs(rows[2 * n] - (E + s1 * e1x + s2 * e2x)));
        err = std::max(err, std::abs(rows[2 * n + 1] - (E + s1 * e1y + s2 * e2y)));
    }
    CHECK(err < 2e-5); // RK4 error at dt 0.1 ms is ~1e-9 mV; the float32 trace limits to ~1e-5
    SECTION("steady-state attenuation") {
        // At steady state the dendrite follows gc (V1 - V2) = g2 (V2 - E): ratio gc / (gc + g2).
        const double u1 = rows[2 * 9999] - E, u2 = rows[2 * 9999 + 1] - E;
        CHECK(u2 / u1 == Approx(gc / (gc + g2)).epsilon(1e-5));
        // and the soma's input resistance: I = g1 u1 + gc (u1 - u2).
        CHECK(g1 * u1 + gc * (u1 - u2) == Approx(I).epsilon(1e-5));
    }
}

TEST_CASE("pyramidal cells without input stay at rest: no drift", "[pyramidal][invariant]") {
    for (const char* preset : {"l5_3c", "naud2018", "naud2018_exact"}) {
        NetworkDesc net;
        net.dt = 0.1;
        net.populations.push_back(preset_population(preset, 2));
        std::vector<int> vars;
        for (auto& c : net.populations[0].compartments) vars.push_back(var(net, "v_" + c.name));
        net.probes.push_back({"v", 0, vars, {0}, 100.0});
        MemorySink sink;
        Simulation sim(net, reg(), {1});
        sim.run(10000.0, sink);
        INFO(preset);
        CHECK(sink.pops[0].times.empty());
        const auto& rows = sink.probe_rows[0];
        const std::size_t nv = vars.size(), nrow = rows.size() / nv;
        REQUIRE(nrow == 100);
        // After 2 s the state has settled (slowest time constant 100 ms); from then on every
        // sample equals the first to float precision.
        for (std::size_t r = 20; r < nrow; ++r)
            for (std::size_t k = 0; k < nv; ++k) CHECK(rows[r * nv + k] == Approx(rows[20 * nv + k]).margin(1e-5));
        if (nv == 2) {
            // The rest is the fixed point of the two-compartment equations (a = 0 at the soma,
            // w_d = a (V_d - E_L) at the dendrite): g_Ld u_d + a u_d = plateau_g f(V_d) and
            // g_Ls u_s = plateau_to_parent f(V_d), u = V - E_L (above E_L since f(E_L) > 0).
            const double Vs = rows[20 * nv], Vd = rows[20 * nv + 1];
            const double f = 1.0 / (1.0 + std::exp(-(Vd + 38.0) / 6.0));
            CHECK((170.0 / 7.0 + 13.0) * (Vd + 70.0) == Approx(1200.0 * f).epsilon(1e-4));
            CHECK(370.0 / 16.0 * (Vs + 70.0) == Approx(1300.0 * f).epsilon(1e-4));
        }
    }
}

namespace {

// Spike times of a tonically driven cell over 300 ms.
std::vector<double> driven_spikes(const std::string& preset, double dt, const std::string& dend) {
    NetworkDesc net;
    net.dt = dt;
    net.populations.push_back(preset_population(preset, 1));
    net.stimuli.push_back(current(net, "soma", 600.0));
    net.stimuli.push_back(current(net, dend, 300.0));
    MemorySink sink;
    Simulation sim(net, reg(), {1});
    sim.run(300.0, sink);
    return sink.pops[0].times;
}

double max_error(const std::vector<double>& a, const std::vector<double>& ref) {
    REQUIRE(a.size() == ref.size());
    double e = 0;
    for (std::size_t i = 0; i < a.size(); ++i) e = std::max(e, std::abs(a[i] - ref[i]));
    return e;
}

} // namespace

TEST_CASE("RK4 path converges at fourth order in dt (spike times)", "[pyramidal][convergence]") {
    // naud2018_exact with somatic and dendritic drive: bursts with plateaus, bAP boxes and the
    // adaptive threshold. Reference: dt = 1/256 ms. Halving dt must shrink the spike-time error
    // by at least 2^3 (fourth order expected; a margin for the spike-location interpolant).
    const auto ref = driven_spikes("naud2018_exact", 1.0 / 256, "dend");
    REQUIRE(ref.size() >= 5);
    std::vector<double> err;
    for (double dt : {0.2, 0.1, 0.05}) err.push_back(max_error(driven_spikes("naud2018_exact", dt, "dend"), ref));
    INFO("errors " << err[0] << " " << err[1] << " " << err[2] << " ms, " << ref.size() << " spikes");
    CHECK(err[0] < 1e-3);
    CHECK(err[0] / err[1] > 8.0);
    CHECK(err[1] / err[2] > 8.0);
}

TEST_CASE("naud2018 compatibility path converges at first order in dt", "[pyramidal][convergence]") {
    // Forward Euler with spikes on the step grid: errors halve with dt (between 1.5x and 2.7x).
    const auto ref = driven_spikes("naud2018", 1.0 / 320, "dend");
    std::vector<double> err;
    for (double dt : {0.1, 0.05, 0.025}) {
        auto s = driven_spikes("naud2018", dt, "dend");
        REQUIRE(s.size() == ref.size());
        err.push_back(max_error(s, ref));
    }
    INFO("errors " << err[0] << " " << err[1] << " " << err[2] << " ms");
    CHECK(err[0] / err[1] > 1.5);
    CHECK(err[0] / err[1] < 2.7);
    CHECK(err[1] / err[2] > 1.5);
    CHECK(err[1] / err[2] < 2.7);
}

TEST_CASE("naud2018 conventions: weights in units of the target's leak conductance", "[pyramidal]") {
    // One AMPA event of weight 0.35 on the soma at 1.0 ms; with conventions on, the somatic AMPA
    // conductance right after it is 0.35 x g_L,soma = 0.35 x 370/16 nS, then decays with 5 ms.
    for (int conv : {1, 0}) {
        NetworkDesc net;
        net.dt = 0.1;
        net.populations.push_back(preset_population(conv ? "naud2018" : "naud2018_exact", 1));
        StimulusDesc s = stimulus(reg(), net, "spike_times", 0, {}, "ampa", 0.35);
        s.times = {1.0};
        net.stimuli.push_back(s);
        net.probes.push_back({"g", 0, {var(net, "g_ampa_soma")}, {0}, 0.1});
        MemorySink sink;
        Simulation sim(net, reg(), {1});
        sim.run(10.0, sink);
        const auto& g = sink.probe_rows[0];
        const double g0 = conv ? 0.35 * 370.0 / 16.0 : 0.35;
        INFO("conventions " << conv);
        // Sample n is the state at n*dt before that step's events: the event at 1.0 ms is seen
        // at 1.1 ms, after one step of decay.
        CHECK(g[10] == 0.0f);
        CHECK(g[11] == Approx(g0 * std::exp(-0.1 / 5.0)).epsilon(1e-6));
        CHECK(g[51] == Approx(g0 * std::exp(-4.1 / 5.0)).epsilon(1e-6));
    }
}

TEST_CASE("pyramidal results are bitwise identical for 1, 2 and 4 threads", "[pyramidal][determinism]") {
    // Allow 4 threads even on a 2-core machine, so "4 threads" really means 4.
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
    auto run = [](int threads) {
        NetworkDesc net;
        net.dt = 0.1;
        net.populations.push_back(preset_population("l5_3c", 1500));
        StimulusDesc s = stimulus(reg(), net, "poisson", 0, {{"rate", 2000.0}}, "ampa", 2.0);
        net.stimuli.push_back(s);
        StimulusDesc sd = stimulus(reg(), net, "poisson", 0, {{"rate", 800.0}}, "nmda", 1.0);
        sd.compartment = 2; // basal0
        net.stimuli.push_back(sd);
        ProjectionDesc pr = projection(reg(), net, 0, 0, "ampa", "fixed_probability", {0.01}, 0.5, 1.0);
        pr.compartment = 1; // apical
        net.projections.push_back(pr);
        MemorySink sink;
        Simulation sim(net, reg(), {threads});
        sim.run(200.0, sink);
        return sink.pops[0];
    };
    const auto a = run(1), b = run(2), c = run(4);
    REQUIRE(a.times.size() > 100);
    CHECK(a.times == b.times);
    CHECK(a.ids == b.ids);
    CHECK(a.times == c.times);
    CHECK(a.ids == c.ids);
}

TEST_CASE("naud2018 one-pass kernel matches the general Euler passes bitwise", "[pyramidal][invariant]") {
    // The naud2018 shape (soma + dend, AMPA/GABA_A) runs a fused one-pass kernel; adding a
    // third, inert compartment (a child of the soma with no coupling, plateau, bAP or input)
    // sends the same cells through the general per-compartment passes. Spikes and voltages
    // must be identical to the bit.
    auto run = [](bool inert) {
        NetworkDesc net;
        net.dt = 0.1;
        net.populations.push_back(preset_population("naud2018", 600));
        if (inert) net.populations[0].compartments.push_back(compartment("inert", 0, {}));
        Distribution v;
        v.kind = Distribution::Kind::normal;
        v.a = -70.0, v.b = 5.0;
        net.populations[0].initial.push_back({var(net, "v_soma"), v});
        for (auto [comp, rec, w] : {std::tuple{0, "ampa", 0.35}, std::tuple{0, "gaba_a", 0.35},
                                    std::tuple{1, "ampa", 0.05}, std::tuple{1, "gaba_a", 0.05}}) {
            StimulusDesc s = stimulus(reg(), net, "poisson", 0, {{"rate", 500.0}}, rec, w);
            s.compartment = static_cast<std::uint16_t>(comp);
            net.stimuli.push_back(s);
        }
        StimulusDesc d = current(net, "dend", 150.0);
        net.stimuli.push_back(d);
        net.probes.push_back({"v", 0, {var(net, "v_soma"), var(net, "v_dend"), var(net, "w_dend")}, {0, 599}, 0.1});
        MemorySink sink;
        Simulation sim(net, reg(), {1});
        sim.run(500.0, sink);
        return sink;
    };
    auto fused = run(false), general = run(true);
    REQUIRE(fused.pops[0].times.size() > 500);
    CHECK(fused.pops[0].times == general.pops[0].times);
    CHECK(fused.pops[0].ids == general.pops[0].ids);
    CHECK(fused.probe_rows[0] == general.probe_rows[0]);
}
