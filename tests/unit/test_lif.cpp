// LIF accuracy against closed forms (after NEST's test_iaf_ps_dc_accuracy: membrane
// potential and first spike time for several resolutions).
#include "sim_helpers.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace apical;
using namespace apical::test;

namespace {

// One LIF cell, constant bias current, V(0) = E_L; probe v every dt.
struct DcRun {
    MemorySink sink;
    double dt;
};

DcRun run_dc(double dt, double I, double duration, bool conductance_path, double t_ref = 2.0) {
    const Registry r = models::builtin_registry();
    NetworkDesc net;
    net.dt = dt;
    net.duration = duration;
    net.populations.push_back(population(r, "p", "lif", 1, {{"I_e", I}, {"t_ref", t_ref}}));
    if (conductance_path) {
        // An input on a conductance receptor that never fires switches the cell to the
        // RK4 (conductance) path; it must then still match the closed form closely.
        net.stimuli.push_back(stimulus(r, net, "spike_times", 0, {}, "exc", 1.0));
        net.stimuli.back().times = {1e9};
    }
    ProbeDesc pr;
    pr.name = "v";
    pr.population = 0;
    pr.variables = {0};
    pr.cells = {0};
    pr.interval = dt;
    net.probes.push_back(pr);
    DcRun out{{}, dt};
    Simulation sim(net, r, {1});
    sim.run(duration, out.sink);
    return out;
}

// Closed form for the defaults (C 200 pF, g_L 10 nS, E_L -60 mV, V_th -50 mV).
constexpr double C = 200.0, gL = 10.0, EL = -60.0, Vth = -50.0, tau = C / gL;
double v_exact(double t, double I) { return EL + I / gL * (1.0 - std::exp(-t / tau)); }
// V - E_L after one current event of w pA at time 0 that decays with tau_s (t >= 0):
// w tau_s tau_m / (C (tau_m - tau_s)) (exp(-t/tau_m) - exp(-t/tau_s)).
double psp_exact(double t, double w, double tau_s) {
    return w * tau_s * tau / (C * (tau - tau_s)) * (std::exp(-t / tau) - std::exp(-t / tau_s));
}
// One LIF cell's V, probed every dt from 0 to t_stop (one value per step).
std::vector<float> v_trace(const NetworkDesc& one_cell, double t_stop) {
    NetworkDesc net = one_cell;
    net.probes.push_back(ProbeDesc{"v", 0, {0}, {0}, net.dt});
    MemorySink sink;
    Simulation sim(net, models::builtin_registry(), {1});
    sim.run(t_stop, sink);
    return sink.probe_rows[0];
}
double first_spike_exact(double I) { return -tau * std::log(1.0 - (Vth - EL) * gL / I); }

} // namespace

TEST_CASE("lif membrane potential matches the closed form below threshold (exact path)", "[lif][closed-form]") {
    // I = 90 pA stays below rheobase (100 pA): V approaches -51 mV without spiking.
    for (double dt : {1.0, 0.1, 0.01, 1.0 / 1024}) {
        auto r = run_dc(dt, 90.0, 50.0, false);
        const auto& v = r.sink.probe_rows[0];
        REQUIRE(v.size() == static_cast<std::size_t>(std::llround(50.0 / dt)));
        double max_err = 0;
        for (std::size_t n = 0; n < v.size(); ++n)
            max_err = std::max(max_err, std::abs(v[n] - v_exact(static_cast<double>(n) * dt, 90.0)));
        // Samples are stored as float32: 1e-5 mV is float resolution near -50 mV, so the
        // exact propagator must be exact to storage precision at every dt.
        CHECK(max_err < 1e-5);
        CHECK(r.sink.pops[0].times.empty());
    }
}

TEST_CASE("lif first spike time is exact on the exact path for any dt", "[lif][closed-form]") {
    const double I = 150.0; // rheobase 100 pA
    const double t_star = first_spike_exact(I);
    for (double dt : {1.0, 0.5, 0.1, 0.03, 0.01}) {
        auto r = run_dc(dt, I, 60.0, false);
        REQUIRE_FALSE(r.sink.pops[0].times.empty());
        // Root finding on the exact solution: limited only by double rounding.
        CHECK(r.sink.pops[0].times[0] == Approx(t_star).margin(1e-9));
    }
}

TEST_CASE("lif on the RK4 path converges to the closed form at 4th order", "[lif][closed-form][convergence]") {
    const double I = 150.0;
    const double t_star = first_spike_exact(I);
    std::vector<double> errs;
    for (double dt : {0.4, 0.2, 0.1, 0.05}) {
        auto r = run_dc(dt, I, 60.0, true);
        REQUIRE_FALSE(r.sink.pops[0].times.empty());
        errs.push_back(std::abs(r.sink.pops[0].times[0] - t_star));
    }
    // Error ratios under halving dt: 16 for a 4th-order method; accept >= 10.
    for (std::size_t k = 0; k + 1 < errs.size(); ++k) {
        INFO("dt halving " << k << ": " << errs[k] << " -> " << errs[k + 1]);
        CHECK(errs[k] / errs[k + 1] > 10.0);
    }
    CHECK(errs.back() < 1e-6);
}

TEST_CASE("lif f-I curve matches the analytic rate", "[lif][closed-form][fI]") {
    // Rate = 1 / (t_ref + tau ln(I R / (I R - (V_th - E_L)))) with R = 1/g_L, reset = E_L.
    const double t_ref = 2.0, T = 2000.0;
    for (double I : {120.0, 200.0, 300.0, 500.0}) {
        auto r = run_dc(0.1, I, T, false, t_ref);
        const auto& ts = r.sink.pops[0].times;
        REQUIRE(ts.size() > 3);
        const double isi_exact = t_ref + tau * std::log(I / (I - (Vth - EL) * gL));
        // Every ISI equals the analytic period (exact integration; tolerance: rounding).
        for (std::size_t k = 1; k < ts.size(); ++k) CHECK(ts[k] - ts[k - 1] == Approx(isi_exact).margin(1e-8));
        const double rate = 1000.0 / isi_exact;
        CHECK(static_cast<double>(ts.size()) == Approx(rate * T / 1000.0).margin(1.0));
    }
}

TEST_CASE("lif events inside a step where an injected current changes are not lost", "[lif][closed-form][events]") {
    // A step current of I pA from t_c on and one current event of w pA at t_e, both inside
    // the same dt step (a regression: such a step redid every cell without its events).
    // Superposition of the two closed forms:
    //   V(t) - E_L = w tau_s tau_m / (C (tau_m - tau_s)) (exp(-(t-t_e)/tau_m) - exp(-(t-t_e)/tau_s)) H(t - t_e)
    //              + I / g_L (1 - exp(-(t-t_c)/tau_m)) H(t - t_c).
    // On the exact path to float32 storage; on the RK4 path (a silent conductance input
    // selects it) to its 4th-order error, far below the 0.1 mV a lost event would leave.
    const Registry reg = models::builtin_registry();
    const double w = 100.0, I = 20.0, tc = 1.21, te = 1.235, tau_s = 5.0;
    for (bool rk4 : {false, true})
        for (double dt : {0.1, 0.05}) {
            CAPTURE(rk4, dt);
            NetworkDesc net;
            net.dt = dt;
            net.populations.push_back(population(reg, "p", "lif", 1));
            net.stimuli.push_back(stimulus(reg, net, "spike_times", 0, {}, "exc_current", w));
            net.stimuli.back().times = {te};
            net.stimuli.push_back(stimulus(reg, net, "step_current", 0, {}));
            net.stimuli.back().times = {tc};
            net.stimuli.back().values = {I};
            if (rk4) {
                net.stimuli.push_back(stimulus(reg, net, "spike_times", 0, {}, "exc", 1.0));
                net.stimuli.back().times = {1e9};
            }
            const auto v = v_trace(net, 20.0);
            REQUIRE(v.size() == static_cast<std::size_t>(std::llround(20.0 / dt)));
            double max_err = 0;
            for (std::size_t n = 0; n < v.size(); ++n) {
                const double t = static_cast<double>(n) * dt;
                double ex = EL;
                if (t >= te) ex += psp_exact(t - te, w, tau_s);
                if (t >= tc) ex += v_exact(t - tc, I) - EL;
                max_err = std::max(max_err, std::abs(v[n] - ex));
            }
            CHECK(max_err < (rk4 ? 1e-4 : 1e-5));
        }
}

TEST_CASE("lif spike times with exact event times do not depend on dt", "[lif][events][convergence]") {
    // Feed-forward cells driven by everything that makes a step special: Poisson current and
    // voltage-jump inputs, refractoriness ending inside steps, a step current and a local
    // constant current whose changes fall between grid points. Each cell's spike train must
    // come out the same at dt = 0.1 and 0.05 ms:
    // - on the exact (linear) path to 1e-6 ms, rounding only;
    // - on the conductance path (an inhibitory conductance input added; RK4, 4th order) to
    //   1e-5 ms (the largest difference with this seed is 1.3e-7 ms).
    // The one allowed exception is a threshold crossing shorter than a step, which only the
    // finer dt sees (the threshold is checked at (sub)step ends; docs/models.md): at most
    // 0.2 % of the spikes may move by more (none do with this seed). Events lost in steps
    // where a current changes, as before 115daa9, changed the spike count of 3 cells (linear)
    // and 1 cell (conductance) and moved 2.8 % and 1.8 % of the spikes.
    const Registry reg = models::builtin_registry();
    const bool cond = GENERATE(false, true);
    CAPTURE(cond);
    auto run = [&](double dt) {
        NetworkDesc net;
        net.dt = dt;
        net.seed = 5;
        net.populations.push_back(population(reg, "p", "lif", 200, {{"t_ref", 2.0}}));
        net.stimuli.push_back(stimulus(reg, net, "poisson", 0, {{"rate", 600.0}}, "exc_current", 50.0));
        net.stimuli.push_back(stimulus(reg, net, "poisson", 0, {{"rate", 300.0}}, "voltage", 0.4));
        net.stimuli.push_back(stimulus(reg, net, "step_current", 0, {}));
        net.stimuli.back().times = {100.03, 500.071, 900.0449, 1300.012};
        net.stimuli.back().values = {100.0, 0.0, 60.0, 20.0};
        net.stimuli.push_back(
            stimulus(reg, net, "constant_current", 0, {{"amplitude", 40.0}, {"start", 300.0123}, {"stop", 1500.0456}}));
        net.stimuli.back().cells = {3, 4, 5, 100, 101, 150};
        if (cond) net.stimuli.push_back(stimulus(reg, net, "poisson", 0, {{"rate", 300.0}}, "inh", 2.0));
        MemorySink sink;
        Simulation sim(net, reg, {1});
        sim.run(2000.0, sink);
        std::vector<std::vector<double>> per_cell(200);
        const auto& p = sink.pops[0];
        for (std::size_t k = 0; k < p.times.size(); ++k) per_cell[p.ids[k]].push_back(p.times[k]);
        for (auto& v : per_cell) std::sort(v.begin(), v.end());
        return per_cell;
    };
    const auto coarse = run(0.1), fine = run(0.05);
    std::size_t spikes = 0, moved = 0;
    for (std::size_t c = 0; c < 200; ++c) {
        CAPTURE(c);
        REQUIRE(coarse[c].size() == fine[c].size());
        for (std::size_t k = 0; k < coarse[c].size(); ++k)
            moved += std::abs(coarse[c][k] - fine[c][k]) > (cond ? 1e-5 : 1e-6) ? 1 : 0;
        spikes += coarse[c].size();
    }
    CHECK(spikes > (cond ? 4000u : 20000u)); // the drive keeps the cells firing (about 65 and 11 Hz)
    CHECK(static_cast<double>(moved) <= 0.002 * static_cast<double>(spikes));
}

TEST_CASE("lif current synapse response at an off-grid event time is exact", "[lif][closed-form][events]") {
    // One current event of w pA at t_e = 1.2345 ms (not on the dt grid):
    // V(t) - E_L = w tau_s tau_m / (C (tau_m - tau_s)) (exp(-(t-t_e)/tau_m) - exp(-(t-t_e)/tau_s)).
    const Registry reg = models::builtin_registry();
    const double w = 100.0, te = 1.2345, tau_s = 5.0;
    for (double dt : {0.1, 0.25}) {
        NetworkDesc net;
        net.dt = dt;
        net.populations.push_back(population(reg, "p", "lif", 1));
        net.stimuli.push_back(stimulus(reg, net, "spike_times", 0, {}, "exc_current", w));
        net.stimuli.back().times = {te};
        const auto v = v_trace(net, 30.0);
        double max_err = 0;
        for (std::size_t n = 0; n < v.size(); ++n) {
            const double t = static_cast<double>(n) * dt;
            const double ex = t < te ? EL : EL + psp_exact(t - te, w, tau_s);
            max_err = std::max(max_err, std::abs(v[n] - ex));
        }
        CHECK(max_err < 1e-5); // float32 storage
    }
}
