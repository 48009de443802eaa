// The order in which a cell receives its synaptic events (core/simulation.cpp, collect_events):
// the engine's contract is (arrival time, then the spikes in (time, gid) order, then the
// projections in their order, then the synapses of a row). A model sums what arrives in one
// step in that order, so the order fixes the floating-point results. It must not depend on
// how the spikes travel: scanned by every group (dense blocks), routed through the routing
// table (sparse blocks), or both in one group, on any number of threads.
//
// A recording model ("tape") keeps every event it is given, in order; its sources fire on a
// fixed schedule. The expected sequence per cell is built from the synapse lists and the
// schedule alone. Projections 0 and 1 share a source and a receptor and differ only in weight,
// so a change of block order within one spike shows as 2, 1 instead of 1, 2.
#include "sim_helpers.hpp"

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

using namespace apical;
using namespace apical::test;

namespace {

using Tape = std::vector<std::tuple<double, std::uint16_t, float>>; // time, slot, weight

// Cell with global id g fires at the start of step s when (g * 7 + s) % 97 == 0: a few spikes
// per step, often several at one time (ties broken by gid).
bool fires(std::uint64_t g, std::int64_t s) { return (g * 7 + static_cast<std::uint64_t>(s)) % 97 == 0; }

struct TickerGroup final : CellGroup {
    std::uint64_t gid0;
    std::uint32_t n;
    TickerGroup(std::uint64_t g0, std::uint32_t count) : gid0(g0), n(count) {}
    void advance(const Epoch& e, const EventSpan&, std::vector<LocalSpike>& out) override {
        for (std::int64_t s = e.step0; s < e.step1; ++s)
            for (std::uint32_t c = 0; c < n; ++c)
                if (fires(gid0 + c, s)) out.push_back({static_cast<double>(s) * e.dt, c});
    }
    double get(int, std::uint32_t) const override { return 0.0; }
    std::uint32_t count() const override { return n; }
};

// Appends each event to its cell's tape (population-local index), in the order given.
struct TapeGroup final : CellGroup {
    std::vector<Tape>* tapes;
    std::uint32_t first, n;
    TapeGroup(std::vector<Tape>* t, std::uint32_t f, std::uint32_t count) : tapes(t), first(f), n(count) {}
    void advance(const Epoch&, const EventSpan& events, std::vector<LocalSpike>&) override {
        for (std::size_t s = 0; s < events.size(); ++s)
            for (const Event& x : events.step(s)) (*tapes)[first + x.cell].emplace_back(x.time, x.slot, x.weight);
    }
    double get(int, std::uint32_t) const override { return 0.0; }
    std::uint32_t count() const override { return n; }
};

Registry tape_registry(std::vector<Tape>* tapes) {
    Registry r = models::builtin_registry();
    ModelInfo ticker;
    ticker.name = "ticker";
    ticker.doc = "test model: spikes on a fixed schedule";
    ticker.make = [](const GroupBuild& b) -> std::unique_ptr<CellGroup> {
        return std::make_unique<TickerGroup>(b.gid0, b.count);
    };
    r.add_model(std::move(ticker));
    ModelInfo tape;
    tape.name = "tape";
    tape.doc = "test model: records the events it receives";
    tape.receptors = {{"a", Dim::none, ""}, {"b", Dim::none, ""}};
    tape.make = [tapes](const GroupBuild& b) -> std::unique_ptr<CellGroup> {
        return std::make_unique<TapeGroup>(tapes, b.first, b.count);
    };
    r.add_model(std::move(tape));
    return r;
}

} // namespace

TEST_CASE("a cell receives its events in spike, then projection, then row order, however they travel",
          "[engine][determinism]") {
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
    constexpr std::uint32_t n_src = 400, n_tgt = 96;
    std::vector<Tape> tapes(n_tgt);
    const Registry r = tape_registry(&tapes);
    NetworkDesc net;
    net.dt = 0.1;
    net.seed = 3;
    net.populations.push_back(population(r, "src", "ticker", n_src));
    net.populations.push_back(population(r, "tgt", "tape", n_tgt));
    // Reached by a fraction of the sources of a group of 8 cells: 0.22, 0.94 and 0.34 (sparse,
    // dense, sparse); of a single cell: 0.03, 0.3, 0.05 (all sparse); of the one group of 96
    // cells: 0.95 and more (all dense).
    const double p[3] = {0.03, 0.3, 0.05};
    const char* receptor[3] = {"a", "a", "b"};
    for (int k = 0; k < 3; ++k)
        net.projections.push_back(projection(r, net, 0, 1, receptor[k], "fixed_probability", {p[k]}, k + 1.0, 1.0));
    const double t_end = 6.0;
    const auto steps = static_cast<std::int64_t>(t_end / net.dt + 0.5);

    for (auto times : {NetworkDesc::EventTimes::exact, NetworkDesc::EventTimes::grid}) {
        net.event_times = times;
        std::vector<Tape> reference;
        for (std::uint32_t group_size : {1000u, 8u, 1u})
            for (int threads : {1, 2, 4}) {
                CAPTURE(times == NetworkDesc::EventTimes::grid, group_size, threads);
                for (auto& t : tapes) t.clear();
                Simulation sim(net, r, {threads, group_size});
                MemorySink sink;
                sim.run(t_end, sink);
                if (reference.empty()) {
                    reference = tapes;
                    // The expected order, from the synapse lists and the schedule: spikes in
                    // (time, gid) order, each spike's projections in order. Only spikes whose
                    // events arrive before t_end (delay 1 ms) are delivered.
                    std::vector<std::set<std::pair<std::uint32_t, std::uint32_t>>> syn(3);
                    for (std::uint32_t k = 0; k < 3; ++k) {
                        const SynapseList l = sim.synapses(k);
                        for (std::size_t i = 0; i < l.source.size(); ++i) syn[k].insert({l.source[i], l.target[i]});
                        REQUIRE(syn[k].size() > 0);
                    }
                    std::vector<Tape> want(n_tgt);
                    for (std::int64_t s = 0; s < steps; ++s)
                        for (std::uint32_t g = 0; g < n_src; ++g) {
                            if (!fires(g, s)) continue;
                            const double arrival = static_cast<double>(s) * net.dt + 1.0;
                            if (arrival >= t_end - 1e-9) continue;
                            for (std::uint32_t k = 0; k < 3; ++k)
                                for (std::uint32_t c = 0; c < n_tgt; ++c)
                                    if (syn[k].count({g, c}))
                                        want[c].emplace_back(arrival, static_cast<std::uint16_t>(k == 2 ? 1 : 0),
                                                             static_cast<float>(k + 1));
                        }
                    std::size_t events = 0, wrong = 0;
                    for (std::uint32_t c = 0; c < n_tgt; ++c) {
                        events += want[c].size();
                        REQUIRE(tapes[c].size() == want[c].size());
                        for (std::size_t i = 0; i < want[c].size(); ++i) {
                            auto [t, slot, w] = tapes[c][i];
                            auto [t0, slot0, w0] = want[c][i];
                            // Exact times keep the arrival time; grid times move it to the step boundary.
                            const bool same_time =
                                times == NetworkDesc::EventTimes::exact ? t == t0 : std::abs(t - t0) < 0.5 * net.dt;
                            wrong += !(same_time && slot == slot0 && w == w0);
                        }
                    }
                    CHECK(events > 5000);
                    CHECK(wrong == 0);
                } else {
                    CHECK(tapes == reference);
                }
            }
    }
}
