// Engine invariants: determinism across thread counts, connectivity statistics,
// Poisson input statistics, two simulations in one process.
#include "core/stimulus.hpp"
#include "sim_helpers.hpp"

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <tuple>

using namespace apical;
using namespace apical::test;

namespace {

// A small COBA-like network (Brette et al. 2007 cells) with Poisson drive so that
// it fires from the start; random delays exercise the multi-epoch event ring.
NetworkDesc coba_like(std::uint32_t n_exc, std::uint32_t n_inh, bool random_delays) {
    const Registry r = models::builtin_registry();
    NetworkDesc net;
    net.seed = 42;
    net.dt = 0.1;
    net.populations.push_back(population(r, "exc", "lif", n_exc));
    net.populations.push_back(population(r, "inh", "lif", n_inh));
    uniform_initial_v(net, -60.0, -50.0);
    for (std::uint32_t s = 0; s < 2; ++s)
        for (std::uint32_t t = 0; t < 2; ++t) {
            auto p =
                projection(r, net, s, t, s == 0 ? "exc" : "inh", "fixed_probability", {0.05}, s == 0 ? 6.0 : 67.0, 1.0);
            if (random_delays) {
                p.delay.kind = Distribution::Kind::uniform;
                p.delay.a = 0.5, p.delay.b = 3.0;
            }
            net.projections.push_back(p);
        }
    for (std::uint32_t t = 0; t < 2; ++t)
        net.stimuli.push_back(stimulus(r, net, "poisson", t, {{"rate", 300.0}}, "exc", 3.0));
    return net;
}

MemorySink run(const NetworkDesc& net, int threads, double t, std::uint32_t group_size = 64) {
    return run_network(net, {threads, group_size}, t);
}

} // namespace

TEST_CASE("spikes are bitwise identical for 1, 2 and 4 threads", "[engine][determinism]") {
    // Allow 4 worker threads even on a 2-core machine, so "4 threads" really means 4.
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
    for (bool random_delays : {false, true}) {
        const NetworkDesc net = coba_like(800, 200, random_delays);
        const auto a = run(net, 1, 300.0);
        const auto b = run(net, 2, 300.0);
        const auto c = run(net, 4, 300.0);
        REQUIRE(a.pops.at(0).times.size() > 1000); // the network is active
        for (std::uint32_t p = 0; p < 2; ++p) {
            CHECK(a.pops.at(p).times == b.pops.at(p).times); // vector == compares bitwise doubles
            CHECK(a.pops.at(p).ids == b.pops.at(p).ids);
            CHECK(a.pops.at(p).times == c.pops.at(p).times);
            CHECK(a.pops.at(p).ids == c.pops.at(p).ids);
        }
    }
}

TEST_CASE("spikes do not depend on how populations are split into cell groups", "[engine][determinism]") {
    // Populations are cut into groups of at most group_size cells, of equal size; only
    // the split, never the results, may change with it (Simulation's group layout).
    for (auto times : {NetworkDesc::EventTimes::exact, NetworkDesc::EventTimes::grid})
        for (bool random_delays : {false, true}) {
            NetworkDesc net = coba_like(800, 200, random_delays);
            net.event_times = times;
            const auto a = run(net, 2, 200.0, 64);   // exc: 13 groups of 61-62 cells
            const auto b = run(net, 2, 200.0, 300);  // exc: 3 groups of 266-267; inh: 1 of 200
            const auto c = run(net, 1, 200.0, 1000); // one group per population
            // First cut where 3 equal shares of the work meet (cells 333 and 667 of exc's 800),
            // then into groups of at most 300: exc 2 + 2 + 1, inh 1.
            const auto d = run_network(net, {2, 300, 3}, 200.0);
            REQUIRE(a.pops.at(0).times.size() > 500);
            for (std::uint32_t p = 0; p < 2; ++p) {
                CHECK(a.pops.at(p).times == b.pops.at(p).times);
                CHECK(a.pops.at(p).ids == b.pops.at(p).ids);
                CHECK(a.pops.at(p).times == c.pops.at(p).times);
                CHECK(a.pops.at(p).ids == c.pops.at(p).ids);
                CHECK(a.pops.at(p).times == d.pops.at(p).times);
                CHECK(a.pops.at(p).ids == d.pops.at(p).ids);
            }
        }
}

TEST_CASE("a simulation runs on at most the threads the process may use", "[engine]") {
    // More would not run at once: TBB starts no more workers (and warns), and the lanes it
    // does not start leave their groups to the first thread (core/simulation.hpp).
    const Registry r = models::builtin_registry();
    NetworkDesc net;
    net.populations.push_back(population(r, "a", "lif", 100));
    {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
        CHECK(available_threads() == 2);
        CHECK(Simulation(net, r, {8, 0}).threads() == 2);
        CHECK(Simulation(net, r, {0, 0}).threads() == 2);
        CHECK(Simulation(net, r, {1, 0}).threads() == 1);
    }
    {
        tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
        CHECK(available_threads() == 4);
        CHECK(Simulation(net, r, {4, 0}).threads() == 4);
    }
}

TEST_CASE("run() refuses a stop time it cannot count in steps of dt", "[engine]") {
    // Steps are whole numbers and step * dt must stay exact in a double: at most 2^52 steps
    // (the scenario reader refuses such durations too, tests/bad_scenarios/69_*).
    const Registry r = models::builtin_registry();
    NetworkDesc net;
    net.dt = 0.1;
    net.populations.push_back(population(r, "a", "lif", 10));
    Simulation sim(net, r, {1, 0});
    MemorySink sink;
    CHECK_THROWS_AS(sim.run(0x1p53 * 0.1, sink), std::invalid_argument);
    CHECK_THROWS_AS(sim.run(std::nan(""), sink), std::invalid_argument);
    CHECK(sim.time() == 0.0); // nothing ran
    CHECK(sim.run(1.0, sink) == Approx(1.0));
}

TEST_CASE("a lane cut splits populations where equal shares of the work meet", "[engine]") {
    // 3200 + 800 cells of equal cost per cell (SimulationOptions::cut_lanes). Counted by hand:
    // - 2 shares meet at cell 2000 of the 3200: at most 1999 cells per group gives 1000 + 1000,
    //   1200 and 800 (4 groups), where without the cut it gives 1600 + 1600 and 800 (3);
    // - 4 shares meet at cells 1000, 2000 and 3000: at most 2048 gives 1000, 1000, 1000, 200
    //   and 800 (5 groups; without: 3);
    // - 8 shares of 500 cells meet at cells 500, 1000, ..., 3000 of the 3200 (7 pieces, the
    //   last of 200) and at cell 300 of the 800: at most 2048 gives 7 + 2 groups;
    // - 4000 shares: one cell each, so 4000 groups of one cell.
    const Registry r = models::builtin_registry();
    NetworkDesc net;
    net.populations.push_back(population(r, "a", "lif", 3200));
    net.populations.push_back(population(r, "b", "lif", 800));
    net.projections.push_back(projection(r, net, 0, 0, "exc", "fixed_indegree", {2}, 1.0, 1.0));
    net.projections.push_back(projection(r, net, 0, 1, "exc", "fixed_indegree", {2}, 1.0, 1.0));
    const std::tuple<std::uint32_t, std::uint32_t, std::uint64_t> cases[] = {
        {1999, 1, 3}, {1999, 2, 4}, {2048, 1, 3}, {2048, 4, 5}, {2048, 8, 9}, {2048, 4000, 4000}};
    for (auto [size, lanes, groups] : cases) {
        CAPTURE(size, lanes);
        SimulationOptions o{1, size};
        o.cut_lanes = lanes;
        const Simulation sim(net, r, o);
        CHECK(sim.group_size() == size);
        CHECK(sim.cut_lanes() == lanes);
        CHECK(sim.stats().groups == groups);
    }
    // More shares than cells, or none: refused (a checkpoint's lane cut is read back so).
    for (std::uint32_t bad : {0u, 4001u}) {
        SimulationOptions o{1, 2048};
        o.cut_lanes = bad;
        CHECK_THROWS_WITH(Simulation(net, r, o), Catch::Matchers::Contains("cut_lanes must be in 1..4000"));
    }
}

TEST_CASE("the automatic group size: event timing and projections, then the threads", "[engine]") {
    // 0 asks for the automatic size. One thread: 2048 cells per group where there are
    // projections (each group pays per epoch for every spike that reaches it, which small
    // groups multiply), 512 otherwise (resolved_group_size), for either event timing.
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
    const Registry r = models::builtin_registry();
    {
        NetworkDesc net;
        net.populations.push_back(population(r, "a", "lif", 5000));
        net.populations.push_back(population(r, "b", "lif", 700));
        // 5000 and 700 cells: 10 + 2 groups of at most 512, 3 + 1 of at most 2048, 5 + 1 of 1000.
        const std::tuple<NetworkDesc::EventTimes, bool, std::uint32_t, std::uint64_t> cases[] = {
            {NetworkDesc::EventTimes::exact, false, 512, 12},
            {NetworkDesc::EventTimes::grid, false, 512, 12},
            {NetworkDesc::EventTimes::exact, true, 2048, 4},
            {NetworkDesc::EventTimes::grid, true, 2048, 4}};
        for (auto [times, connected, size, groups] : cases) {
            CAPTURE(times == NetworkDesc::EventTimes::grid, connected);
            net.event_times = times;
            net.projections.clear();
            if (connected) net.projections.push_back(projection(r, net, 0, 1, "exc", "fixed_indegree", {2}, 1.0, 1.0));
            CHECK(resolved_group_size(net, 0) == size);
            CHECK(resolved_group_size(net, 1000) == 1000);
            const Simulation one(net, r, {1, 0});
            CHECK(one.group_size() == size);
            CHECK(one.stats().groups == groups);
            for (int threads : {1, 2, 4}) CHECK(Simulation(net, r, {threads, 1000}).stats().groups == 6);
        }
    }
    // More threads: the cut, of size at most the one-thread size, whose groups share out best
    // among the threads (contiguous blocks of about equal cost, each group counted as its
    // cells' work plus 256 cells'), each size tried without and with a first cut where the
    // threads' equal shares of the work meet. Worked by hand for 3200 + 800 cells of equal
    // cost per cell (every cell has 2 synapses in), in cost units of one cell's work (3 each;
    // a group adds 768):
    // - grid, 2 threads: 2 + 1 groups (1600, 1600, 800) split 5568 | 8736; 3 + 1 (1067, 1067,
    //   1066, 800) split 7938 | 7134; 4 + 1 of 800 split 9504 | 6336; 5 + 2 split 8064 | 9312;
    //   more groups only add cost. Cut at the shares' boundary (cell 2000 of the 3200), size
    //   2048: 2000 | 1200 + 800, split 6768 | 7536; size 1600: 1000 + 1000 | 1200 + 800, split
    //   7536 | 7536; size 1067: 1000 + 1000 | 600 + 600 + 800, split 7536 | 8304. So 3 groups
    //   (2000, 1200, 800): size 2048 with the cut, the largest size at the best split.
    // - grid, 4 threads: 3 + 1 groups put one group on each thread (largest 3969); 2 + 1
    //   leave 5568 on one, 4 + 1 put two groups of 3168 on one. Cut at cells 1000, 2000 and
    //   3000: 1000, 1000, 1000, 200 and 800 put 200 + 800 (two groups, 4536) on one. So 4
    //   groups of at most 1067, no lane cut.
    // - exact event times: the same cuts as grid (the one-thread size is 2048 for both).
    // - with a plastic projection the one-thread size stays (weights are recorded in group order).
    NetworkDesc net;
    net.populations.push_back(population(r, "a", "lif", 3200));
    net.populations.push_back(population(r, "b", "lif", 800));
    net.projections.push_back(projection(r, net, 0, 0, "exc", "fixed_indegree", {2}, 1.0, 1.0));
    net.projections.push_back(projection(r, net, 0, 1, "exc", "fixed_indegree", {2}, 1.0, 1.0));
    const std::tuple<NetworkDesc::EventTimes, int, std::uint32_t, std::uint32_t, std::uint64_t> cases[] = {
        {NetworkDesc::EventTimes::grid, 1, 2048, 1, 3},  {NetworkDesc::EventTimes::grid, 2, 2048, 2, 3},
        {NetworkDesc::EventTimes::grid, 4, 1067, 1, 4},  {NetworkDesc::EventTimes::exact, 1, 2048, 1, 3},
        {NetworkDesc::EventTimes::exact, 2, 2048, 2, 3}, {NetworkDesc::EventTimes::exact, 4, 1067, 1, 4}};
    for (auto [times, threads, size, lanes, groups] : cases) {
        CAPTURE(times == NetworkDesc::EventTimes::grid, threads);
        net.event_times = times;
        const Simulation sim(net, r, {threads, 0});
        CHECK(sim.group_size() == size);
        CHECK(sim.cut_lanes() == lanes);
        CHECK(sim.stats().groups == groups);
    }
    net.event_times = NetworkDesc::EventTimes::grid;
    net.projections[0].plasticity = "stdp";
    net.projections[0].plasticity_params = {0.01, 0.012, 20.0, 20.0, 0.0, 10.0};
    for (int threads : {1, 2, 4}) {
        const Simulation sim(net, r, {threads, 0});
        CHECK(sim.group_size() == 2048);
        CHECK(sim.cut_lanes() == 1);
    }
}

TEST_CASE("spikes routed to sparse blocks arrive as those looked up in dense rows", "[engine][determinism]") {
    // Which blocks (a projection's synapses onto one group) are sparse depends on the group
    // layout: sparse when fewer than half of the source cells reach the group. Spikes reach
    // sparse blocks through the routing table, dense ones by every group looking at every spike;
    // both must deliver the same synapses in the same order, for any thread count.
    // exc -> * with p = 0.02 and inh -> * with p = 0.2: with 1 cell per group every block is
    // sparse (20 of 1000 and 50 of 250 sources reach a cell); with 8 the exc blocks are sparse
    // (about 150 of 1000) and the inh ones dense (about 200 of 250), so one group has both;
    // with 1000 every block is dense.
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
    const Registry r = models::builtin_registry();
    for (auto times : {NetworkDesc::EventTimes::exact, NetworkDesc::EventTimes::grid})
        for (bool random_delays : {false, true}) {
            CAPTURE(times == NetworkDesc::EventTimes::grid, random_delays);
            NetworkDesc net;
            net.seed = 11;
            net.dt = 0.1;
            net.event_times = times;
            net.populations.push_back(population(r, "exc", "lif", 1000));
            net.populations.push_back(population(r, "inh", "lif", 250));
            uniform_initial_v(net, -60.0, -50.0);
            for (std::uint32_t src = 0; src < 2; ++src)
                for (std::uint32_t tgt = 0; tgt < 2; ++tgt) {
                    auto p = projection(r, net, src, tgt, src == 0 ? "exc" : "inh", "fixed_probability",
                                        {src == 0 ? 0.02 : 0.2}, src == 0 ? 15.0 : 20.0, 1.0);
                    if (random_delays) {
                        p.delay.kind = Distribution::Kind::uniform;
                        p.delay.a = 0.5, p.delay.b = 3.0;
                    }
                    net.projections.push_back(p);
                }
            // A second exc -> exc projection, denser: at 8 cells per group its block is dense next
            // to the first one's sparse block, so each exc spike reaches both in one group, in
            // block order.
            // (p = 0.1: about 570 of 1000 sources reach a group of 8, 100 reach a single cell.)
            net.projections.push_back(projection(r, net, 0, 0, "exc", "fixed_probability", {0.1}, 1.0, 1.0));
            for (std::uint32_t t = 0; t < 2; ++t)
                net.stimuli.push_back(stimulus(r, net, "poisson", t, {{"rate", 300.0}}, "exc", 3.0));
            const auto ref = run(net, 1, 120.0, 1000);
            REQUIRE(ref.pops.at(0).times.size() > 500); // active
            REQUIRE(ref.pops.at(1).times.size() > 100);
            for (std::uint32_t group_size : {1u, 8u})
                for (int threads : {1, 2, 4}) {
                    CAPTURE(group_size, threads);
                    const auto x = run(net, threads, 120.0, group_size);
                    for (std::uint32_t p = 0; p < 2; ++p) {
                        CHECK(x.pops.at(p).times == ref.pops.at(p).times);
                        CHECK(x.pops.at(p).ids == ref.pops.at(p).ids);
                    }
                }
            // The synapse listing reads sparse blocks' sources from the routing table.
            auto sorted = [](const SynapseList& l) {
                std::vector<std::tuple<std::uint32_t, std::uint32_t, float, float>> v;
                for (std::size_t k = 0; k < l.source.size(); ++k)
                    v.emplace_back(l.source[k], l.target[k], l.weight[k], l.delay[k]);
                std::sort(v.begin(), v.end());
                return v;
            };
            const Simulation dense(net, r, {1, 1000}), sparse(net, r, {1, 1});
            for (std::uint32_t p = 0; p < 5; ++p) {
                CAPTURE(p);
                const auto a = sorted(dense.synapses(p)), b = sorted(sparse.synapses(p));
                CHECK(a.size() > 1000);
                CHECK(a == b);
            }
        }
}

TEST_CASE("spikes arrive sorted by (time, node id) per population", "[engine]") {
    const auto a = run(coba_like(400, 100, true), 2, 200.0);
    for (auto& [p, x] : a.pops)
        for (std::size_t k = 1; k < x.times.size(); ++k)
            CHECK((x.times[k - 1] < x.times[k] || (x.times[k - 1] == x.times[k] && x.ids[k - 1] < x.ids[k])));
}

TEST_CASE("two simulations in one process do not interfere", "[engine]") {
    const NetworkDesc net = coba_like(400, 100, false);
    const Registry r = models::builtin_registry();
    Simulation s1(net, r, {2, 64}), s2(net, r, {1, 64});
    MemorySink k1, k2;
    // Interleave their epochs.
    for (double t = 10; t <= 200; t += 10) {
        s1.run(t, k1);
        s2.run(t, k2);
    }
    CHECK(k1.pops.at(0).times == k2.pops.at(0).times);
    CHECK(k1.pops.at(0).times == run(net, 1, 200.0).pops.at(0).times); // and equal an uninterrupted run
}

namespace {
std::vector<double> indegrees(const SynapseList& s, std::uint32_t n_target) {
    std::vector<double> d(n_target, 0.0);
    for (auto t : s.target) d[t] += 1;
    return d;
}
double mean(const std::vector<double>& x) {
    return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}
double variance(const std::vector<double>& x) {
    const double m = mean(x);
    double s = 0;
    for (double v : x) s += (v - m) * (v - m);
    return s / static_cast<double>(x.size() - 1);
}
SynapseList build_and_get(NetworkDesc net) {
    const Registry r = models::builtin_registry();
    Simulation sim(net, r, {1});
    return sim.synapses(0);
}
NetworkDesc pair_net(std::uint32_t ns, std::uint32_t nt, const std::string& rule, std::vector<double> params,
                     bool autapses, bool multapses, bool same = false) {
    const Registry r = models::builtin_registry();
    NetworkDesc net;
    net.populations.push_back(population(r, "a", "lif", ns));
    if (!same) net.populations.push_back(population(r, "b", "lif", nt));
    auto p = projection(r, net, 0, same ? 0 : 1, "exc", rule, std::move(params), 1.0, 1.0);
    p.autapses = autapses;
    p.multapses = multapses;
    net.projections.push_back(p);
    return net;
}
} // namespace

TEST_CASE("fixed_probability: in-degree mean and variance are binomial", "[connectivity]") {
    // In-degree ~ Binomial(N, p): mean N p = 100, variance N p (1 - p) = 90.
    // Over 2000 targets the sample mean has sd sqrt(90/2000) = 0.21 and the sample
    // variance sd about 90 sqrt(2/1999) = 2.8; tolerances are 5 sd.
    const auto s = build_and_get(pair_net(1000, 2000, "fixed_probability", {0.1}, true, false));
    const auto d = indegrees(s, 2000);
    CHECK(mean(d) == Approx(100.0).margin(5 * 0.21));
    CHECK(variance(d) == Approx(90.0).margin(5 * 2.8));
    // No multapses: every (source, target) pair at most once.
    std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
    for (std::size_t k = 0; k < s.source.size(); ++k) pairs.insert({s.source[k], s.target[k]});
    CHECK(pairs.size() == s.source.size());
}

TEST_CASE("fixed_probability without autapses never connects a cell to itself", "[connectivity]") {
    const auto s = build_and_get(pair_net(500, 500, "fixed_probability", {0.5}, false, false, true));
    for (std::size_t k = 0; k < s.source.size(); ++k) REQUIRE(s.source[k] != s.target[k]);
    // Without autapses the expected in-degree is p (N - 1).
    CHECK(mean(indegrees(s, 500)) == Approx(0.5 * 499).margin(5 * std::sqrt(0.25 * 499 / 500)));
}

TEST_CASE("fixed_indegree gives exactly K sources per target", "[connectivity]") {
    for (bool multapses : {false, true}) {
        const auto s = build_and_get(pair_net(50, 300, "fixed_indegree", {40}, true, multapses));
        const auto d = indegrees(s, 300);
        for (double x : d) REQUIRE(x == 40.0);
        if (!multapses) {
            std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
            for (std::size_t k = 0; k < s.source.size(); ++k) pairs.insert({s.source[k], s.target[k]});
            CHECK(pairs.size() == s.source.size());
        }
        // Sources uniform: each source is drawn 300 * 40 / 50 = 240 times on average.
        std::vector<double> out(50, 0.0);
        for (auto x : s.source) out[x] += 1;
        CHECK(mean(out) == Approx(240.0));
        for (double x : out) CHECK(std::abs(x - 240.0) < 6 * std::sqrt(240.0)); // ~Poisson-like spread
    }
    // Without autapses and without multapses, K = N - 1 connects every other cell.
    const auto s = build_and_get(pair_net(30, 30, "fixed_indegree", {29}, false, false, true));
    for (std::size_t k = 0; k < s.source.size(); ++k) REQUIRE(s.source[k] != s.target[k]);
    CHECK(s.source.size() == 30u * 29u);
}

TEST_CASE("all_to_all and one_to_one", "[connectivity]") {
    CHECK(build_and_get(pair_net(20, 30, "all_to_all", {}, true, false)).source.size() == 600);
    CHECK(build_and_get(pair_net(20, 20, "all_to_all", {}, false, false, true)).source.size() == 380);
    const auto s = build_and_get(pair_net(25, 25, "one_to_one", {}, true, false));
    REQUIRE(s.source.size() == 25);
    for (std::size_t k = 0; k < 25; ++k) CHECK(s.source[k] == s.target[k]);
}

TEST_CASE("drawn weights follow their distribution", "[connectivity]") {
    auto net = pair_net(1000, 1000, "fixed_probability", {0.2}, true, false);
    auto& w = net.projections[0].weight;
    SECTION("normal, clipped") {
        w.kind = Distribution::Kind::normal;
        w.a = 5.0, w.b = 1.0, w.lo = 3.0, w.hi = 1e9;
        const auto s = build_and_get(net);
        std::vector<double> x(s.weight.begin(), s.weight.end());
        for (double v : x) REQUIRE(v >= 3.0);
        // Mean of N(5,1) clipped at 3 from below: 5 + phi(-2) * ... ~= 5.0085; n ~ 2e5 -> sd 0.0022.
        CHECK(mean(x) == Approx(5.0085).margin(0.012));
    }
    SECTION("uniform") {
        w.kind = Distribution::Kind::uniform;
        w.a = 1.0, w.b = 3.0;
        const auto s = build_and_get(net);
        std::vector<double> x(s.weight.begin(), s.weight.end());
        for (double v : x) REQUIRE((v >= 1.0 && v <= 3.0));
        CHECK(mean(x) == Approx(2.0).margin(0.01));
        CHECK(variance(x) == Approx(4.0 / 12.0).margin(0.01));
    }
    SECTION("lognormal") {
        w.kind = Distribution::Kind::lognormal;
        w.a = 0.0, w.b = 0.5; // mean exp(mu + sigma^2/2) = exp(0.125)
        const auto s = build_and_get(net);
        std::vector<double> x(s.weight.begin(), s.weight.end());
        CHECK(mean(x) == Approx(std::exp(0.125)).margin(0.01));
    }
}

TEST_CASE("poisson stimulus: rate and CV of inter-spike intervals", "[stimulus][poisson]") {
    // 200 cells x 100 s at 50 Hz: 1e6 events; relative sd of the rate estimate 0.1 %.
    const Registry r = models::builtin_registry();
    NetworkDesc net;
    net.populations.push_back(population(r, "p", "lif", 200));
    StimulusDesc sd = stimulus(r, net, "poisson", 0, {{"rate", 50.0}}, "exc", 1.0);
    std::vector<std::uint32_t> cells(200);
    std::iota(cells.begin(), cells.end(), 0u);
    StimulusBuild sb{sd, 0, 7, 0, cells, 0};
    auto src = r.stimulus("poisson")->make_events(sb);
    std::vector<Event> ev;
    for (std::int64_t k = 0; k < 1000; ++k) src->generate(Epoch{k * 1000, (k + 1) * 1000, 0.1}, ev);
    const double rate = static_cast<double>(ev.size()) / 200.0 / 100.0;
    CHECK(rate == Approx(50.0).margin(50.0 * 0.005));
    // Per-cell ISIs: exponential, CV 1.
    std::vector<std::vector<double>> t(200);
    for (auto& e : ev) t[e.cell].push_back(e.time);
    double cv_sum = 0;
    for (auto& x : t) {
        std::vector<double> isi;
        for (std::size_t k = 1; k < x.size(); ++k) isi.push_back(x[k] - x[k - 1]);
        cv_sum += std::sqrt(variance(isi)) / mean(isi);
    }
    CHECK(cv_sum / 200.0 == Approx(1.0).margin(0.01));
    // Events stay inside their epochs and are independent across cells (different streams).
    CHECK(t[0] != t[1]);
}

TEST_CASE("probes: cells in any order, across groups, shared by two probes", "[engine][probes]") {
    const Registry r = models::builtin_registry();
    NetworkDesc net;
    net.populations.push_back(population(r, "p", "lif", 800)); // two groups of 512 / 288
    StimulusDesc dc = stimulus(r, net, "constant_current", 0, {{"amplitude", 50.0}});
    dc.cells = {700};
    net.stimuli.push_back(dc);
    net.probes.push_back(ProbeDesc{"a", 0, {0}, {700, 5}, 0.5});    // v
    net.probes.push_back(ProbeDesc{"b", 0, {0, 3}, {5, 700}, 1.0}); // v, i_exc
    Simulation sim(net, r, {2, 512});
    MemorySink sink;
    sim.run(20.0, sink);
    const auto& a = sink.probe_rows[0];
    const auto& b = sink.probe_rows[1];
    REQUIRE(a.size() == 40 * 2);
    REQUIRE(b.size() == 20 * 4);
    for (std::size_t row = 0; row < 20; ++row) {
        // b samples every 1 ms, a every 0.5 ms: b's row r is a's row 2r.
        CHECK(a[2 * row * 2 + 0] == b[row * 4 + 2]); // cell 700, v
        CHECK(a[2 * row * 2 + 1] == -60.0f);         // cell 5 at rest
        CHECK(b[row * 4 + 0] == -60.0f);
        CHECK(b[row * 4 + 3] == 0.0f); // no synaptic current
    }
    // Cell 700 charges towards E_L + I/g_L = -55 mV: V(10 ms) = -60 + 5 (1 - e^{-0.5}).
    CHECK(b[10 * 4 + 2] == Approx(-60.0 + 5.0 * (1.0 - std::exp(-0.5))).margin(1e-5));
}

TEST_CASE("sparse rows: one_to_one from a large population delivers each spike to its own target",
          "[engine][connectivity]") {
    // 3000 -> 3000 one_to_one: each target group of 512 cells is reached by 512 of 3000 source
    // cells, so its rows are stored sparse (ids + rows). Source cell i fires at 1 + i/1000 ms
    // (spike_times on cells 5, 600, 2999 with a 20 mV voltage jump each: above threshold);
    // its target i must fire 1 ms later through a 20 mV jump, and no other target fires.
    const Registry r = models::builtin_registry();
    NetworkDesc net;
    net.dt = 0.1;
    net.populations.push_back(population(r, "src", "lif", 3000));
    net.populations.push_back(population(r, "dst", "lif", 3000));
    net.projections.push_back(projection(r, net, 0, 1, "voltage", "one_to_one", {}, 20.0, 1.0));
    for (std::uint32_t c : {5u, 600u, 2999u}) {
        StimulusDesc s = stimulus(r, net, "spike_times", 0, {}, "voltage", 20.0);
        s.cells = {c};
        s.times = {1.0 + c / 1000.0};
        net.stimuli.push_back(s);
    }
    MemorySink sink;
    Simulation sim(net, r, {1});
    sim.run(10.0, sink);
    REQUIRE(sink.pops[0].ids == std::vector<std::uint64_t>{5, 600, 2999});
    CHECK(sink.pops[1].ids == sink.pops[0].ids);
    for (std::size_t k = 0; k < 3; ++k) CHECK(sink.pops[1].times[k] == Approx(sink.pops[0].times[k] + 1.0));
    // Sparse rows cost 12 bytes per reached source (4 for the row, 8 in the routing table) plus
    // 8 per source cell once (the routing table's offsets) instead of 4 per source cell and
    // group: 3000 synapses x 6 bytes + 6 groups x (512 x 12 + 4) + 3001 x 8 is well under the
    // dense 6 x 3001 x 4 + 18000.
    CHECK(sim.stats().synapse_bytes < 18000 + 6 * 3001 * 4);
}
