// AdEx: closed-form limits and dt-independence of the Odeint Dormand-Prince integration.
#include "sim_helpers.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace apical;
using namespace apical::test;

namespace {

struct Result {
    MemorySink sink;
};

Result run_adex(double dt, double duration, std::map<std::string, double> params, std::vector<int> vars = {0}) {
    const Registry r = models::builtin_registry();
    NetworkDesc net;
    net.dt = dt;
    net.populations.push_back(population(r, "p", "adex", 1, std::move(params)));
    ProbeDesc pr{"x", 0, vars, {0}, dt};
    net.probes.push_back(pr);
    Result out;
    Simulation sim(net, r, {1});
    sim.run(duration, out.sink);
    return out;
}

} // namespace

TEST_CASE("adex without exponential term or adaptation is a LIF (closed form)", "[adex][closed-form]") {
    // Delta_T = 0, a = b = 0: C dV/dt = -g_L (V - E_L) + I, V(t) = E_L + I/g_L (1 - exp(-t g_L / C)).
    const double C = 281, gL = 30, EL = -70.6, I = 200;
    auto r = run_adex(0.1, 100.0, {{"Delta_T", 0.0}, {"a", 0.0}, {"b", 0.0}, {"I_e", I}});
    const auto& v = r.sink.probe_rows[0];
    REQUIRE(v.size() == 1000);
    double max_err = 0;
    for (std::size_t n = 0; n < v.size(); ++n) {
        const double t = static_cast<double>(n) * 0.1;
        max_err = std::max(max_err, std::abs(v[n] - (EL + I / gL * (1 - std::exp(-t * gL / C)))));
    }
    CHECK(max_err < 2e-5);               // integration error ~1e-10 mV here; float32 storage limits to ~1e-5
    CHECK(r.sink.pops[0].times.empty()); // E_L + I/g_L = -63.9 mV stays below V_T
}

TEST_CASE("adex spike-triggered adaptation adds b per spike", "[adex]") {
    // tau_w huge and a = 0: w only jumps, by b at each spike; sample w at the end.
    const double b = 80.5;
    auto r = run_adex(0.1, 300.0, {{"a", 0.0}, {"b", b}, {"tau_w", 1e9}, {"I_e", 1500.0}}, {1});
    const auto n_spikes = r.sink.pops[0].times.size();
    REQUIRE(n_spikes >= 3);
    const auto& w = r.sink.probe_rows[0];
    CHECK(w.back() == Approx(b * static_cast<double>(n_spikes)).epsilon(1e-5));
    // ISIs lengthen as w grows (spike-frequency adaptation).
    const auto& t = r.sink.pops[0].times;
    CHECK(t[2] - t[1] > t[1] - t[0]);
}

TEST_CASE("adex spike times do not depend on dt (error-controlled integration)", "[adex][convergence]") {
    // Dormand-Prince 5(4) with tolerance 1e-9 and dense output: the spike times of the
    // default (Brette & Gerstner 2005) cell at 1 nA must agree across dt = 0.4 ... 1/512 ms.
    auto spikes = [](double dt) {
        auto r = run_adex(dt, 100.0, {{"I_e", 1000.0}});
        return r.sink.pops[0].times;
    };
    const auto ref = spikes(1.0 / 512);
    REQUIRE(ref.size() >= 3);
    for (double dt : {0.4, 0.2, 0.1, 0.05}) {
        const auto t = spikes(dt);
        REQUIRE(t.size() == ref.size());
        for (std::size_t k = 0; k < t.size(); ++k) CHECK(t[k] == Approx(ref[k]).margin(1e-6));
    }
}

TEST_CASE("adex integration: euler is forward Euler on the grid (closed-form recursion)", "[adex][closed-form]") {
    // Delta_T = 0, a = b = 0: V_{k+1} = V_k + dt/C (-g_L (V_k - E_L) + I), so
    // V_k = E_L + I/g_L (1 - (1 - dt g_L / C)^k).
    const double C = 281, gL = 30, EL = -70.6, I = 200, dt = 0.1;
    auto r = run_adex(dt, 100.0, {{"Delta_T", 0.0}, {"a", 0.0}, {"b", 0.0}, {"I_e", I}, {"integration", 1.0}});
    const auto& v = r.sink.probe_rows[0];
    REQUIRE(v.size() == 1000);
    double max_err = 0;
    for (std::size_t k = 0; k < v.size(); ++k)
        max_err =
            std::max(max_err, std::abs(v[k] - (EL + I / gL * (1 - std::pow(1 - dt * gL / C, static_cast<double>(k))))));
    CHECK(max_err < 2e-5);
}

TEST_CASE("adex pv preset: refractory hold at E_L, spikes on the step grid", "[adex]") {
    // pv: I_e 205 pA alone drives it to fire (E_L + I/g_L = -49.5 mV, above V_T - Delta_T).
    const Registry reg = models::builtin_registry();
    const ModelInfo* m = reg.model("adex");
    const ParamPreset* pv = m->preset("pv");
    REQUIRE(pv);
    std::map<std::string, double> params(pv->values.begin(), pv->values.end());
    auto r = run_adex(0.1, 300.0, params);
    const auto& t = r.sink.pops[0].times;
    REQUIRE(t.size() >= 2);
    for (double x : t) CHECK(std::abs(x / 0.1 - std::round(x / 0.1)) < 1e-9); // stamped at step ends
    // As in Auryn: V_reset (-55 mV) at the spike step's end, then held at E_L (-70 mV) for the
    // 1 ms refractory period (10 steps), then integrated again (sampled at step starts).
    const auto& v = r.sink.probe_rows[0];
    const auto k = static_cast<std::size_t>(std::llround(t[0] / 0.1));
    CHECK(v[k] == Approx(-55.0));
    for (std::size_t j = k + 1; j <= k + 10; ++j) CHECK(v[j] == Approx(-70.0));
    CHECK(v[k + 11] > -70.0);
}
