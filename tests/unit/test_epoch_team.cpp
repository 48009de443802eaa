// EpochTeam (core/epoch_team.hpp): the persistent thread team the engine runs epochs on.
// Invariants: every item runs exactly once per phase, whatever the thread count (also more
// threads than items or than cores); serial work between phases sees every item's effects;
// an item's exception reaches the caller and leaves the team joinable.
#include "core/epoch_team.hpp"

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include <atomic>
#include <stdexcept>
#include <vector>

using apical::EpochTeam;

TEST_CASE("EpochTeam runs every item once per phase for any thread count", "[engine][threads]") {
    for (int threads : {1, 2, 3, 4, 8}) {
        for (std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{9}, std::size_t{64}}) {
            CAPTURE(threads, n);
            tbb::task_arena arena(threads);
            std::vector<double> cost(n);
            for (std::size_t i = 0; i < n; ++i) cost[i] = static_cast<double>(1 + i % 3);
            std::vector<int> count(n, 0);
            std::vector<long> seen; // per phase: the sum written by the items, read serially
            int phase = 0;
            auto item = [&](std::size_t i) { count[i] += phase + 1; };
            EpochTeam::run(arena, threads, cost, item, [&](EpochTeam& team) {
                for (phase = 0; phase < 200; ++phase) {
                    team.parallel();
                    long s = 0;
                    for (int c : count) s += c;
                    seen.push_back(s);
                }
            });
            // After phase p every item has added 1 + 2 + ... + (p + 1).
            for (int p = 0; p < 200; ++p)
                REQUIRE(seen[static_cast<std::size_t>(p)] == static_cast<long>(n) * (p + 1) * (p + 2) / 2);
        }
    }
}

TEST_CASE("EpochTeam finishes when TBB has fewer workers than lanes", "[engine][threads]") {
    // One worker thread in the whole process: helpers beyond it never start, and lane 0
    // must run their blocks itself.
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
    tbb::task_arena arena(6);
    std::vector<double> cost(12, 1.0);
    std::vector<int> count(12, 0);
    auto item = [&](std::size_t i) { ++count[i]; };
    EpochTeam::run(arena, 6, cost, item, [&](EpochTeam& team) {
        for (int p = 0; p < 50; ++p) team.parallel();
    });
    for (int c : count) REQUIRE(c == 50);
}

TEST_CASE("EpochTeam passes an item's exception to the caller", "[engine][threads]") {
    for (int threads : {1, 2, 4}) {
        CAPTURE(threads);
        tbb::task_arena arena(threads);
        std::vector<double> cost(8, 1.0);
        std::atomic<int> ran{0};
        int phase = 0;
        auto item = [&](std::size_t i) {
            ran.fetch_add(1);
            if (phase == 3 && i == 5) throw std::runtime_error("item 5 failed");
        };
        int phases_done = 0;
        REQUIRE_THROWS_WITH(EpochTeam::run(arena, threads, cost, item,
                                           [&](EpochTeam& team) {
                                               for (phase = 0; phase < 10; ++phase) {
                                                   team.parallel();
                                                   ++phases_done;
                                               }
                                           }),
                            "item 5 failed");
        // The failing phase still ran all its items (no half-finished phase is left behind).
        REQUIRE(phases_done == 3);
        REQUIRE(ran.load() == 4 * 8);
        // The arena is usable again afterwards.
        std::vector<int> count(8, 0);
        auto ok = [&](std::size_t i) { ++count[i]; };
        EpochTeam::run(arena, threads, cost, ok, [&](EpochTeam& team) { team.parallel(); });
        for (int c : count) REQUIRE(c == 1);
    }
}

TEST_CASE("EpochTeam::finish(done) hands lane 0 every item once, after the item's work", "[engine][threads]") {
    for (int threads : {1, 2, 3, 4}) {
        for (std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{9}, std::size_t{40}}) {
            CAPTURE(threads, n);
            tbb::task_arena arena(threads);
            std::vector<double> cost(n, 1.0);
            std::vector<int> value(n, -1); // written by the item, read by done() on lane 0
            int phase = 0;
            auto item = [&](std::size_t i) {
                volatile double x = 0.0; // uneven, so items finish in varying order
                for (std::size_t k = 0; k < 200 * (i % 7); ++k) x = x + 1.0;
                value[i] = phase;
            };
            long handed = 0, stale = 0, twice = 0;
            std::vector<int> seen_in(n, -1);
            EpochTeam::run(arena, threads, cost, item, [&](EpochTeam& team) {
                for (phase = 0; phase < 300; ++phase) {
                    team.start();
                    team.finish([&](std::size_t i) {
                        ++handed;
                        if (value[i] != phase) ++stale;   // the item's result is visible
                        if (seen_in[i] == phase) ++twice; // once per phase
                        seen_in[i] = phase;
                    });
                }
            });
            REQUIRE(handed == 300 * static_cast<long>(n));
            REQUIRE(stale == 0);
            REQUIRE(twice == 0);
        }
    }
}

TEST_CASE("EpochTeam::finish(done) passes done()'s exception on after the phase", "[engine][threads]") {
    for (int threads : {1, 2, 4}) {
        CAPTURE(threads);
        tbb::task_arena arena(threads);
        std::vector<double> cost(8, 1.0);
        std::atomic<int> ran{0};
        auto item = [&](std::size_t) { ran.fetch_add(1); };
        REQUIRE_THROWS_WITH(EpochTeam::run(arena, threads, cost, item,
                                           [&](EpochTeam& team) {
                                               team.start();
                                               team.finish([](std::size_t i) {
                                                   if (i == 2) throw std::runtime_error("done 2 failed");
                                               });
                                           }),
                            "done 2 failed");
        REQUIRE(ran.load() == 8); // every item of the phase ran
    }
}

TEST_CASE("EpochTeam::blocks splits items into contiguous blocks of about equal cost", "[engine][threads]") {
    using V = std::vector<std::size_t>;
    const std::vector<double> equal(8, 1.0);
    CHECK(EpochTeam::blocks(equal, 1) == V{0, 8});
    CHECK(EpochTeam::blocks(equal, 2) == V{0, 4, 8});
    CHECK(EpochTeam::blocks(equal, 4) == V{0, 2, 4, 6, 8});
    // Each block ends at the item boundary nearest to its share of the total (here 4 of 8).
    const std::vector<double> uneven{3.0, 1.0, 1.0, 1.0, 1.0, 1.0};
    CHECK(EpochTeam::blocks(uneven, 2) == V{0, 2, 6});
    // More lanes than items: some lanes get nothing (here those whose share ends at 1/4 and
    // 3/4 of the cost, nearer the start of an item than its end); every item is in one block.
    CHECK(EpochTeam::blocks(std::vector<double>{1.0, 1.0}, 4) == V{0, 1, 1, 2, 2});
    CHECK(EpochTeam::blocks(std::vector<double>{}, 2) == V{0, 0, 0});
}

TEST_CASE("EpochTeam::lane_blocks gives lane 0 (which also runs the serial work) the cheapest block",
          "[engine][threads]") {
    using V = std::vector<std::size_t>;
    // 4000 cells in groups of 1067, 1067, 1066 and 800: blocks {0, 1} (2134) and {2, 3} (1866).
    const std::vector<double> groups{1067.0, 1067.0, 1066.0, 800.0};
    CHECK(EpochTeam::blocks(groups, 2) == V{0, 2, 4});
    CHECK(EpochTeam::lane_blocks(groups, 2) == V{2, 4, 0, 2});
    // Equal blocks: lane l keeps block l. One lane: everything.
    CHECK(EpochTeam::lane_blocks(std::vector<double>(8, 1.0), 4) == V{0, 2, 2, 4, 4, 6, 6, 8});
    CHECK(EpochTeam::lane_blocks(groups, 1) == V{0, 4});
    // Three lanes, the middle block cheapest: lanes 0 and 1 swap blocks, lane 2 keeps its own.
    const std::vector<double> mid{2.0, 2.0, 1.0, 1.0, 2.0, 2.0};
    CHECK(EpochTeam::blocks(mid, 3) == V{0, 2, 4, 6}); // costs 4, 2, 4
    CHECK(EpochTeam::lane_blocks(mid, 3) == V{2, 4, 0, 2, 4, 6});
}
