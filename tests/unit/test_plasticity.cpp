// Plasticity rules (models/plasticity.cpp) on hand-computed two- and three-spike cases,
// one synapse (pre 0 -> post 0), from the rule definitions (shared reference, Payeur et al.
// 2021; pair-based STDP).
#include "models/plasticity.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

using namespace apical;
using K = SpikeKind;

namespace {
struct One {
    std::vector<std::uint32_t> row{0, 1}, by_off{0, 1}, by{0}, src{0};
    std::vector<std::uint16_t> target{0};
    std::vector<float> w{0.5f};
    SynapseView view() { return SynapseView{row, target, w, by_off, by, src, 1, 1}; }
};
PlasticSpike pre(double t, K k = K::event, bool learn = true) { return {t, 0, k, false, learn}; }
PlasticSpike post(double t, K k, bool learn = true) { return {t, 0, k, true, learn}; }

// eta 0.1, tau_pre 100 ms, alpha 1 s, homeostasis off, Ebar 10 Hz, Bbar 2 Hz (Pbar 0.2).
models::PayeurParams base() {
    return {0.1, 100.0, 1000.0, 0.0, std::numeric_limits<double>::infinity(), 0.0, 1.0, 10.0, 2.0};
}
double run(const models::PayeurParams& p, std::vector<PlasticSpike> s) {
    One o;
    auto r = models::make_payeur(p, 1, 1);
    auto v = o.view();
    r->update(v, s);
    return static_cast<double>(o.w[0]) - 0.5;
}
} // namespace

TEST_CASE("payeur2021: event depresses by Pbar, burst potentiates", "[plasticity]") {
    // Pbar = Bbar / Ebar stays 0.2 while both decay alike.
    CHECK(run(base(), {pre(0.0), post(50.0, K::event)}) == Approx(-0.1 * 0.2 * std::exp(-0.5)).epsilon(1e-5));
    CHECK(run(base(), {pre(0.0), post(50.0, K::event), post(55.0, K::burst)}) ==
          Approx(-0.1 * 0.2 * std::exp(-0.5) + 0.1 * std::exp(-0.55)).epsilon(1e-5));
    // Only presynaptic events count: a presynaptic burst spike leaves Etilde alone.
    CHECK(run(base(), {pre(0.0), pre(5.0, K::burst), post(50.0, K::event)}) ==
          Approx(-0.1 * 0.2 * std::exp(-0.5)).epsilon(1e-5));
    // Causality: a postsynaptic event before any presynaptic one changes nothing.
    CHECK(run(base(), {post(0.0, K::event), pre(10.0)}) == 0.0);
    // Learning switched off: the traces move, the weight does not.
    CHECK(run(base(), {pre(0.0, K::event, false), post(50.0, K::burst, false)}) == 0.0);
}

TEST_CASE("payeur2021: the event enters Ebar after its own update", "[plasticity]") {
    // Ebar 0, Bbar 0: Pbar = 0 at the first event, so it changes nothing; the second event
    // sees Ebar = 1 event / alpha, Bbar = 0: still Pbar = 0. A burst then potentiates.
    auto p = base();
    p.ebar_init = p.bbar_init = 0.0;
    CHECK(run(p, {pre(0.0), post(10.0, K::event), post(40.0, K::event)}) == 0.0);
    // With Bbar 2 Hz and Ebar 0: Pbar is capped at 1 only when Ebar > 0; Ebar = 0 reads Pbar 0.
    p.bbar_init = 2.0;
    CHECK(run(p, {pre(0.0), post(10.0, K::event)}) == 0.0);
    // Pbar capped at 1: Ebar 2 Hz, Bbar 4 Hz.
    p.ebar_init = 2.0, p.bbar_init = 4.0;
    CHECK(run(p, {pre(0.0), post(10.0, K::event)}) == Approx(-0.1 * 1.0 * std::exp(-0.1)).epsilon(1e-5));
}

TEST_CASE("payeur2021: homeostatic terms", "[plasticity]") {
    // e_max 12 Hz with Ebar 20 Hz: h = -(E - 12) / E, E = 20 exp(-10 / 1000) at the burst.
    auto p = base();
    p.ebar_init = 20.0, p.e_max = 12.0;
    const double E = 20.0 * std::exp(-0.01), h = -(E - 12.0) / E;
    CHECK(run(p, {pre(0.0), post(10.0, K::burst)}) == Approx(0.1 * (1 + h) * std::exp(-0.1)).epsilon(1e-5));
    // e_min 2 Hz with Ebar 0: each presynaptic event adds eta (e_min - Ebar) = 0.2.
    auto q = base();
    q.ebar_init = q.bbar_init = 0.0, q.e_min = 2.0;
    CHECK(run(q, {pre(0.0)}) == Approx(0.2).epsilon(1e-6));
    // Clipped to w_max = 1: two such events from 0.5 stop at 1.
    CHECK(run(q, {pre(0.0), pre(100.0), pre(200.0)}) == Approx(0.5));
}

TEST_CASE("stdp: pair-based, two spikes", "[plasticity]") {
    // A_plus 0.01, A_minus 0.012, tau 20 ms.
    const std::vector<double> p{0.01, 0.012, 20.0, 20.0, 0.0, 1.0};
    auto once = [&](std::vector<PlasticSpike> s) {
        One o;
        auto r = models::make_stdp(p, 1, 1);
        auto v = o.view();
        r->update(v, s);
        return static_cast<double>(o.w[0]) - 0.5;
    };
    CHECK(once({pre(0.0, K::unclassified), post(10.0, K::unclassified)}) ==
          Approx(0.01 * std::exp(-0.5)).epsilon(1e-5));
    CHECK(once({post(0.0, K::unclassified), pre(10.0, K::unclassified)}) ==
          Approx(-0.012 * std::exp(-0.5)).epsilon(1e-5));
}
