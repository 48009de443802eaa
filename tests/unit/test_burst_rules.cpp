// Burst classifiers (models/burst_rules.cpp) on hand-made spike trains. Expected kinds follow
// the rule definitions (shared reference: trace jumps by 1, read before the jump, event when
// below 1/e; ISI rule: event when the gap exceeds the threshold).
#include "models/burst_rules.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace apical;
using K = SpikeKind;

namespace {
struct Run {
    std::vector<K> kinds;
    std::vector<BurstRecord> bursts;
};
// One cell's train in one call, then finish().
Run classify(const std::string& rule, std::vector<double> t, double t_now = 0.0) {
    auto c = models::make_burst_classifier(rule, 16.0, 1);
    std::vector<std::uint32_t> cells(t.size(), 0);
    Run r;
    r.kinds.assign(t.size(), K::unclassified);
    c->classify(t, cells, r.kinds, t_now, r.bursts);
    c->finish(r.bursts);
    return r;
}
} // namespace

TEST_CASE("burst rules: first spike, doublet, triplet", "[bursts]") {
    for (const char* rule : {"trace", "isi"}) {
        INFO(rule);
        auto one = classify(rule, {100.0});
        CHECK(one.kinds == std::vector<K>{K::event});
        CHECK(one.bursts.empty()); // a single spike is not a burst
        auto two = classify(rule, {100.0, 110.0});
        CHECK(two.kinds == std::vector<K>{K::event, K::burst});
        REQUIRE(two.bursts.size() == 1);
        CHECK(two.bursts[0].onset == 100.0);
        CHECK(two.bursts[0].spikes == 2);
        auto three = classify(rule, {0.0, 5.0, 10.0});
        CHECK(three.kinds == std::vector<K>{K::event, K::burst, K::in_burst});
        REQUIRE(three.bursts.size() == 1);
        CHECK(three.bursts[0].spikes == 3);
        // Two separate events, then a doublet: bursts counted once, at the right onset.
        auto mix = classify(rule, {0.0, 50.0, 100.0, 104.0});
        CHECK(mix.kinds == std::vector<K>{K::event, K::event, K::event, K::burst});
        REQUIRE(mix.bursts.size() == 1);
        CHECK(mix.bursts[0].onset == 100.0);
    }
}

TEST_CASE("burst rules: a gap of exactly the threshold continues the burst", "[bursts]") {
    for (const char* rule : {"trace", "isi"}) {
        INFO(rule);
        // After one spike the trace at +16 ms is exp(-1) = 1/e, not below it.
        CHECK(classify(rule, {10.0, 26.0}).kinds == std::vector<K>{K::event, K::burst});
        CHECK(classify(rule, {10.0, 26.001}).kinds == std::vector<K>{K::event, K::event});
    }
}

TEST_CASE("burst rules: long bursts, where trace and ISI rules differ", "[bursts]") {
    // Ten spikes 10 ms apart: one burst of 10 under both rules.
    std::vector<double> t;
    for (int k = 0; k < 10; ++k) t.push_back(10.0 * k);
    for (const char* rule : {"trace", "isi"}) {
        auto r = classify(rule, t);
        REQUIRE(r.bursts.size() == 1);
        CHECK(r.bursts[0].spikes == 10);
    }
    // Then a spike 20 ms after the last one. ISI: 20 > 16, a new event. Trace: after the
    // tenth spike it holds sum_k exp(-10 k / 16) (k = 0..9), which after 20 ms is still
    // above 1/e, so the spike continues the burst.
    double tr = 0.0;
    for (int k = 0; k < 10; ++k) tr += std::exp(-10.0 * k / 16.0);
    REQUIRE(tr * std::exp(-20.0 / 16.0) > std::exp(-1.0));
    t.push_back(110.0);
    auto isi = classify("isi", t);
    CHECK(isi.kinds.back() == K::event);
    REQUIRE(isi.bursts.size() == 1);
    CHECK(isi.bursts[0].spikes == 10);
    auto trace = classify("trace", t);
    CHECK(trace.kinds.back() == K::in_burst);
    REQUIRE(trace.bursts.size() == 1);
    CHECK(trace.bursts[0].spikes == 11);
}

TEST_CASE("burst rules: a burst is written once it is over, cells independent", "[bursts]") {
    auto c = models::make_burst_classifier("isi", 16.0, 2);
    std::vector<double> t{0.0, 1.0, 5.0, 8.0};
    std::vector<std::uint32_t> cells{0, 1, 0, 1};
    std::vector<K> kinds(4);
    std::vector<BurstRecord> done;
    c->classify(t, cells, kinds, 10.0, done);
    CHECK(kinds == std::vector<K>{K::event, K::event, K::burst, K::burst});
    CHECK(done.empty()); // a spike at 20 ms could still join both
    std::vector<double> none;
    std::vector<std::uint32_t> nc;
    std::vector<K> nk;
    c->classify(none, nc, nk, 22.0, done); // cell 0 over (22 - 5 > 16); cell 1 not (22 - 8 = 14)
    REQUIRE(done.size() == 1);
    CHECK(done[0].cell == 0);
    c->classify(none, nc, nk, 24.5, done);
    REQUIRE(done.size() == 2);
    CHECK(done[1].cell == 1);
    CHECK(done[1].onset == 1.0);
    c->finish(done);
    CHECK(done.size() == 2); // nothing written twice
}
