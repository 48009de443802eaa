// Engine side of the spike hooks (core/spike_hooks.hpp): transmit modes, STP and
// plasticity inside a running network, determinism across threads with all of them on.
#include "models/burst_rules.hpp"
#include "sim_helpers.hpp"

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include <cmath>
#include <numeric>

using namespace apical;
using namespace apical::test;

namespace {

// One source cell driven by explicit spike times (a huge current pulse per time via a
// strong excitatory current input) -> one LIF target per transmit mode; the target's
// input events are counted through its current-based receptor weight.
struct Hooks : MemorySink {
    std::map<std::uint32_t, std::vector<double>> events, burst_spikes;
    std::map<std::uint32_t, std::vector<BurstRecord>> closed;
    std::map<std::uint32_t, std::vector<double>> wsum; // per weight probe
    void classified(std::uint32_t p, std::span<const double> e, std::span<const double> b) override {
        events[p].insert(events[p].end(), e.begin(), e.end());
        burst_spikes[p].insert(burst_spikes[p].end(), b.begin(), b.end());
    }
    void bursts(std::uint32_t p, std::span<const BurstRecord> b) override {
        closed[p].insert(closed[p].end(), b.begin(), b.end());
    }
    void weights(std::uint32_t w, double, double sum, std::span<const float>) override { wsum[w].push_back(sum); }
};

NetworkDesc microcircuit_like(const Registry& r) { return hooked_network(r, {2.0, 3.0, 2500.0, 2.0, 10.0, ""}); }

Hooks run(const NetworkDesc& net, int threads, double t) {
    const Registry r = models::builtin_registry();
    Simulation sim(net, r, {threads, 64});
    Hooks sink;
    sim.run(t, sink);
    sim.finish(sink);
    return sink;
}

} // namespace

TEST_CASE("spike hooks: bitwise identical for 1, 2 and 4 threads", "[engine][determinism][hooks]") {
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
    const Registry r = models::builtin_registry();
    const NetworkDesc net = microcircuit_like(r);
    const auto a = run(net, 1, 300.0), b = run(net, 2, 300.0), c = run(net, 4, 300.0);
    REQUIRE(a.pops.at(0).times.size() > 500);
    REQUIRE(a.burst_spikes.at(0).size() > 10); // bursts happen, so the burst pathway carries
    for (std::uint32_t p = 0; p < 2; ++p) {
        CHECK(a.pops.at(p).times == b.pops.at(p).times);
        CHECK(a.pops.at(p).times == c.pops.at(p).times);
        CHECK(a.events.at(p) == c.events.at(p));
    }
    CHECK(a.wsum == b.wsum);
    CHECK(a.wsum == c.wsum);
    REQUIRE(a.wsum.at(0).size() >= 4);
    CHECK(a.wsum.at(0).front() != a.wsum.at(0).back()); // the weights moved
    CHECK(a.wsum.at(1).front() != a.wsum.at(1).back());
    Simulation sim(net, r, {2, 64});
    Hooks k;
    sim.run(300.0, k);
    const SynapseList s0 = sim.synapses(0);
    CHECK(std::accumulate(s0.weight.begin(), s0.weight.end(), 0.0) == Approx(a.wsum.at(0).back()).epsilon(1e-6));
}

TEST_CASE("spike hooks: the engine's classification equals the classifier on the recorded spikes", "[hooks]") {
    const Registry r = models::builtin_registry();
    const auto a = run(microcircuit_like(r), 2, 300.0);
    // Re-classify population 0's recorded spikes in one call with the same rule.
    const auto& sp = a.pops.at(0);
    auto c = models::make_burst_classifier("trace", 16.0, 300);
    std::vector<std::uint32_t> cells(sp.ids.begin(), sp.ids.end());
    std::vector<SpikeKind> kinds(sp.times.size());
    std::vector<BurstRecord> done;
    c->classify(sp.times, cells, kinds, 1e9, done);
    std::vector<double> ev, bu;
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        if (kinds[i] == SpikeKind::event) ev.push_back(sp.times[i]);
        if (kinds[i] == SpikeKind::burst) bu.push_back(sp.times[i]);
    }
    CHECK(ev == a.events.at(0));
    CHECK(bu == a.burst_spikes.at(0));
    CHECK(done.size() == a.closed.at(0).size());
    std::size_t n_spikes = 0;
    for (auto& b : a.closed.at(0)) n_spikes += b.spikes;
    CHECK(n_spikes + ev.size() - bu.size() == sp.times.size()); // every spike: one event or in a burst
}

TEST_CASE("spike hooks: transmit modes carry only events or only bursts", "[hooks]") {
    // One LIF source cell fires at chosen times (a huge spike_times input); three one_to_one
    // projections, one per mode, onto single LIF cells that fire once per carried spike.
    const Registry r = models::builtin_registry();
    NetworkDesc net;
    net.dt = 0.1;
    net.populations.push_back(population(r, "src", "lif", 1, {{"t_ref", 1.0}}));
    for (const char* n : {"all", "ev", "bu"}) net.populations.push_back(population(r, n, "lif", 1, {{"t_ref", 1.0}}));
    auto drive = stimulus(r, net, "spike_times", 0, {}, "voltage", 20.0);
    drive.times = {10.0, 100.0, 105.0, 110.0, 200.0};
    net.stimuli.push_back(drive);
    const ProjectionDesc::Transmit modes[] = {ProjectionDesc::Transmit::spikes, ProjectionDesc::Transmit::events,
                                              ProjectionDesc::Transmit::bursts};
    for (std::uint32_t k = 0; k < 3; ++k) {
        auto p = projection(r, net, 0, k + 1, "voltage", "one_to_one", {}, 20.0, 1.0);
        p.transmit = modes[k];
        net.projections.push_back(p);
    }
    Simulation sim(net, r, {1, 64});
    Hooks sink;
    sim.run(300.0, sink);
    sim.finish(sink);
    // The source spikes once per input (the LIF default reset and 1e6 pA input).
    REQUIRE(sink.pops.at(0).times.size() == 5);
    CHECK(sink.events.at(0).size() == 3);       // 10, 100 (burst onset), 200
    CHECK(sink.burst_spikes.at(0).size() == 1); // 105
    REQUIRE(sink.closed.at(0).size() == 1);
    CHECK(sink.closed.at(0)[0].spikes == 3);
    CHECK(sink.pops.at(1).times.size() == 5);
    CHECK(sink.pops.at(2).times.size() == 3);
    REQUIRE(sink.pops.at(3).times.size() == 1);
    CHECK(sink.pops.at(3).times[0] > 105.0);
    CHECK(sink.pops.at(3).times[0] < 110.0);
}
