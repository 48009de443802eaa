// The exchange of an epoch's spikes (core/simulation.cpp, take_spikes): each cell group hands
// its spikes over as soon as its work item finishes, in whatever order the threads finish
// them, and they are merged into one list in (time, global id) order. Checked here with a
// test model whose spike times are known in advance (many equal times across groups, so
// the order among equal times is exercised), for 1, 2 and 4 threads and several group
// sizes; and a spike without a valid time must stop the run, naming its population, for
// every thread count.
#include "sim_helpers.hpp"

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <vector>

using namespace apical;
using namespace apical::test;

namespace {

// Cell with global id g spikes in step n when (g * 7 + n) % 13 == 0, at the step start (so
// every spike time is shared by many cells of many groups). Cell `nan_gid` instead emits a
// spike with a NaN time at step `nan_step` (no cell when nan_gid is out of range).
struct ClockGroup final : CellGroup {
    std::uint64_t gid0;
    std::uint32_t n;
    std::uint64_t nan_gid;
    std::int64_t nan_step;
    ClockGroup(std::uint64_t g0, std::uint32_t count, std::uint64_t ng, std::int64_t ns)
        : gid0(g0), n(count), nan_gid(ng), nan_step(ns) {}
    void advance(const Epoch& e, const EventSpan&, std::vector<LocalSpike>& out) override {
        for (std::int64_t s = e.step0; s < e.step1; ++s)
            for (std::uint32_t c = 0; c < n; ++c) {
                const std::uint64_t g = gid0 + c;
                if (g == nan_gid && s == nan_step) out.push_back({std::numeric_limits<double>::quiet_NaN(), c});
                else if ((g * 7 + static_cast<std::uint64_t>(s)) % 13 == 0)
                    out.push_back({static_cast<double>(s) * e.dt, c});
            }
    }
    double get(int, std::uint32_t) const override { return 0.0; }
    std::uint32_t count() const override { return n; }
};

Registry clock_registry(std::uint64_t nan_gid, std::int64_t nan_step) {
    Registry r = models::builtin_registry();
    ModelInfo m;
    m.name = "clock";
    m.doc = "test model: spikes on a fixed schedule";
    m.make = [=](const GroupBuild& b) -> std::unique_ptr<CellGroup> {
        return std::make_unique<ClockGroup>(b.gid0, b.count, nan_gid, nan_step);
    };
    r.add_model(std::move(m));
    return r;
}

NetworkDesc clock_net(const Registry& r) {
    NetworkDesc net;
    net.dt = 0.1;
    net.populations.push_back(population(r, "a", "clock", 300));
    net.populations.push_back(population(r, "b", "clock", 170));
    return net;
}

} // namespace

TEST_CASE("spikes are exchanged in (time, gid) order whatever the thread count and group layout",
          "[engine][threads][determinism]") {
    const Registry r = clock_registry(std::numeric_limits<std::uint64_t>::max(), -1);
    const NetworkDesc net = clock_net(r);
    const double t_end = 20.0;
    // What the schedule gives, per population, in (time, id) order.
    std::vector<std::vector<std::pair<double, std::uint64_t>>> want(2);
    const std::uint64_t sizes[2] = {300, 170};
    for (std::int64_t s = 0; s < 200; ++s)
        for (std::uint32_t p = 0, g0 = 0; p < 2; g0 += static_cast<std::uint32_t>(sizes[p]), ++p)
            for (std::uint64_t c = 0; c < sizes[p]; ++c)
                if (((g0 + c) * 7 + static_cast<std::uint64_t>(s)) % 13 == 0)
                    want[p].emplace_back(static_cast<double>(s) * net.dt, c);
    // Allow 4 threads even on a 2-core machine, so "4 threads" really means 4.
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
    for (int threads : {1, 2, 4})
        for (std::uint32_t group_size : {7u, 64u, 1000u}) {
            CAPTURE(threads, group_size);
            Simulation sim(net, r, {threads, group_size});
            MemorySink sink;
            sim.run(t_end, sink);
            for (std::uint32_t p = 0; p < 2; ++p) {
                const auto& got = sink.pops.at(p);
                REQUIRE(got.times.size() == want[p].size());
                std::size_t wrong = 0;
                for (std::size_t k = 0; k < got.times.size(); ++k)
                    wrong += std::make_pair(got.times[k], got.ids[k]) != want[p][k];
                CHECK(wrong == 0);
            }
        }
}

TEST_CASE("a spike without a valid time stops the run and names its population", "[engine][threads]") {
    // Cell 40 of population b (gid 340) emits a NaN time in step 57 (epoch 5 of 1 ms).
    const Registry r = clock_registry(340, 57);
    const NetworkDesc net = clock_net(r);
    // Allow 4 threads even on a 2-core machine, so "4 threads" really means 4.
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
    for (int threads : {1, 2, 4})
        for (std::uint32_t group_size : {16u, 512u}) {
            CAPTURE(threads, group_size);
            Simulation sim(net, r, {threads, group_size});
            MemorySink sink;
            REQUIRE_THROWS_WITH(sim.run(20.0, sink),
                                Catch::Contains("population 'b'") && Catch::Contains("spike without a valid time"));
            // The epochs before it were recorded; nothing of the failing epoch was.
            const auto& a = sink.pops.at(0).times;
            REQUIRE_FALSE(a.empty());
            CHECK(*std::max_element(a.begin(), a.end()) < 5.0);
        }
}
