// Temporal memory behaviours from the algorithm description (models/htm/temporal_memory.hpp,
// shared/reference/htm.md, cf. htm.core TemporalMemoryTest). Every expected value is worked
// out by hand from the rules; none is read back from the code under test.
#include "models/htm/temporal_memory.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using namespace apical;
using namespace apical::models::htm;

namespace {

// 32 columns x 4 cells: column c owns cells 4c..4c+3.
TmParams small() {
    TmParams p;
    p.columns = 32;
    p.cells_per_column = 4;
    p.activation_threshold = 3;
    p.min_threshold = 2;
    p.max_new_synapse_count = 3;
    p.initial_permanence = 0.21f;
    p.connected_permanence = 0.5f;
    p.permanence_increment = 0.10f;
    p.permanence_decrement = 0.10f;
    p.predicted_segment_decrement = 0.0f;
    return p;
}

TemporalMemory make(const TmParams& p, std::uint64_t seed = 1) { return TemporalMemory(p, RandomStream(seed, 99, 0)); }

// Permanence of the synapse from `pre` on `seg`; -1 when there is none.
float perm(const TemporalMemory& tm, std::uint32_t seg, std::uint32_t pre) {
    for (auto y : tm.connections().synapses_of(seg))
        if (tm.connections().presyn(y) == pre) return tm.connections().permanence(y);
    return -1.0f;
}

// A segment on `cell` with synapses (presynaptic cell, permanence).
std::uint32_t segment(TemporalMemory& tm, std::uint32_t cell, std::vector<std::pair<std::uint32_t, float>> syns) {
    auto& c = tm.connections();
    const auto s = c.create_segment(cell, 0);
    for (auto [pre, p] : syns) c.create_synapse(s, pre, p);
    return s;
}

} // namespace

TEST_CASE("tm: an unpredicted active column bursts all its cells", "[htm][tm]") {
    auto tm = make(small());
    const Sdr cols{0, 3};
    tm.compute(cols, true);
    CHECK(tm.active_cells() == Sdr{0, 1, 2, 3, 12, 13, 14, 15});
    CHECK(tm.bursting_columns() == Sdr{0, 3});
    CHECK(tm.anomaly() == 1.0);
    REQUIRE(tm.winner_cells().size() == 2); // one winner per bursting column, in the column
    CHECK(tm.winner_cells()[0] / 4 == 0);
    CHECK(tm.winner_cells()[1] / 4 == 3);
}

TEST_CASE("tm: no active column gives no active cells and anomaly 0", "[htm][tm]") {
    auto tm = make(small());
    tm.compute(Sdr{}, true);
    CHECK(tm.active_cells().empty());
    CHECK(tm.anomaly() == 0.0);
}

TEST_CASE("tm: a cell with an active segment is the only active cell of its column", "[htm][tm]") {
    auto tm = make(small());
    // Cell 5 (column 1) listens to cells 0, 1, 2 of column 0: 3 connected synapses = activation threshold.
    segment(tm, 5, {{0, 0.6f}, {1, 0.6f}, {2, 0.6f}});
    tm.compute(Sdr{0}, false);
    CHECK(tm.predictive_cells() == Sdr{5});
    tm.compute(Sdr{1, 2}, false);
    CHECK(tm.active_cells() == Sdr{5, 8, 9, 10, 11}); // column 1 predicted, column 2 bursts
    CHECK(tm.winner_cells()[0] == 5);
    CHECK(tm.bursting_columns() == Sdr{2});
    CHECK(tm.anomaly() == 0.5); // 1 of 2 active columns unpredicted
}

TEST_CASE("tm: below activation threshold a segment does not predict", "[htm][tm]") {
    auto tm = make(small());
    // Two connected + one unconnected synapse: 2 < activation threshold 3, but matching (3 >= 2).
    const auto s = segment(tm, 5, {{0, 0.6f}, {1, 0.6f}, {2, 0.3f}});
    tm.compute(Sdr{0}, false);
    CHECK(tm.predictive_cells().empty());
    REQUIRE(tm.matching_segments() == std::vector<std::uint32_t>{s});
    CHECK(tm.active_potential_synapses(s) == 3);
    tm.compute(Sdr{1}, false);
    CHECK(tm.bursting_columns() == Sdr{1});
    CHECK(tm.winner_cells() == Sdr{5}); // the best matching segment's cell wins the burst
}

TEST_CASE("tm: with learning off nothing changes", "[htm][tm]") {
    auto tm = make(small());
    const auto s = segment(tm, 5, {{0, 0.6f}, {1, 0.6f}, {2, 0.6f}, {20, 0.6f}});
    const auto m = segment(tm, 9, {{0, 0.3f}, {1, 0.3f}}); // matching, in column 2
    for (int rep = 0; rep < 3; ++rep) {
        tm.compute(Sdr{0}, false);
        tm.compute(Sdr{1, 7}, false); // 1 predicted, 7 bursts, 2 wrongly predicted (matching)
    }
    CHECK(tm.connections().n_segments() == 2);
    CHECK(tm.connections().n_synapses() == 6);
    CHECK(perm(tm, s, 0) == 0.6f);
    CHECK(perm(tm, s, 20) == 0.6f);
    CHECK(perm(tm, m, 0) == 0.3f);
}

TEST_CASE("tm: reinforcement of an active segment: +increment on active, -decrement on inactive presynaptic cells",
          "[htm][tm]") {
    auto tm = make(small());
    const auto s = segment(tm, 5, {{0, 0.6f}, {1, 0.6f}, {2, 0.6f}, {20, 0.6f}});
    tm.compute(Sdr{0}, true); // column 0 bursts: cells 0..3 active
    tm.compute(Sdr{1}, true); // cell 5 predicted; segment learns
    CHECK(tm.active_cells() == Sdr{5});
    CHECK(perm(tm, s, 0) == Approx(0.7).margin(1e-6));
    CHECK(perm(tm, s, 1) == Approx(0.7).margin(1e-6));
    CHECK(perm(tm, s, 2) == Approx(0.7).margin(1e-6));
    CHECK(perm(tm, s, 20) == Approx(0.5).margin(1e-6)); // cell 20 was not active
    // 3 active potential synapses = max_new_synapse_count: nothing grows.
    CHECK(tm.connections().synapses_of(s).size() == 4);
}

TEST_CASE("tm: an active segment grows max_new - active_potential synapses onto previous winners", "[htm][tm]") {
    auto p = small();
    p.max_new_synapse_count = 5;
    auto tm = make(p);
    // Cells 0, 1, 2 of column 0 already have a segment each, so the least used cell of
    // column 0 (its winner when it bursts) is cell 3.
    for (std::uint32_t c = 0; c < 3; ++c) segment(tm, c, {{100, 0.3f}});
    const auto s = segment(tm, 5, {{0, 0.6f}, {1, 0.6f}, {2, 0.6f}});
    tm.compute(Sdr{0}, true);
    CHECK(tm.winner_cells() == Sdr{3});
    tm.compute(Sdr{1}, true);
    // want 5 - 3 = 2 new synapses, but the only previous winner not yet on the segment is cell 3.
    CHECK(tm.connections().synapses_of(s).size() == 4);
    CHECK(perm(tm, s, 3) == Approx(0.21).margin(1e-6));
}

TEST_CASE("tm: no new segment without previous winners", "[htm][tm]") {
    auto tm = make(small());
    tm.compute(Sdr{0}, true); // bursts, but nothing was active before: nothing to grow onto
    CHECK(tm.connections().n_segments() == 0);
    tm.compute(Sdr{1}, true); // one previous winner: a segment with min(3, 1) = 1 synapse
    REQUIRE(tm.connections().n_segments() == 1);
    const auto w = tm.winner_cells()[0];
    REQUIRE(tm.connections().segments_of(w).size() == 1);
    const auto seg = tm.connections().segments_of(w)[0];
    REQUIRE(tm.connections().synapses_of(seg).size() == 1);
    const auto y = tm.connections().synapses_of(seg)[0];
    CHECK(tm.connections().presyn(y) / 4 == 0); // onto column 0's winner
    CHECK(tm.connections().permanence(y) == Approx(0.21).margin(1e-6));
    tm.reset();
    tm.compute(Sdr{2}, true); // after a reset: no previous winners again
    CHECK(tm.connections().n_segments() == 1);
}

TEST_CASE("tm: a new segment gets min(max_new_synapse_count, previous winners) synapses", "[htm][tm]") {
    auto tm = make(small());              // max_new 3
    tm.compute(Sdr{0, 1, 2, 3, 4}, true); // 5 winners
    tm.compute(Sdr{10}, true);
    const auto w = tm.winner_cells()[0];
    const auto seg = tm.connections().segments_of(w).at(0);
    CHECK(tm.connections().synapses_of(seg).size() == 3);
}

TEST_CASE("tm: punishment of wrongly predicted segments", "[htm][tm]") {
    auto p = small();
    p.predicted_segment_decrement = 0.05f;
    auto tm = make(p);
    const auto s = segment(tm, 5, {{0, 0.6f}, {1, 0.6f}, {2, 0.6f}, {20, 0.6f}});
    tm.compute(Sdr{0}, true);
    tm.compute(Sdr{2}, true); // column 1 predicted but not active
    CHECK(perm(tm, s, 0) == Approx(0.55).margin(1e-6));
    CHECK(perm(tm, s, 1) == Approx(0.55).margin(1e-6));
    CHECK(perm(tm, s, 2) == Approx(0.55).margin(1e-6));
    CHECK(perm(tm, s, 20) == Approx(0.6).margin(1e-6)); // inactive presynaptic cell: untouched
}

TEST_CASE("tm: no punishment when predicted_segment_decrement is 0", "[htm][tm]") {
    auto tm = make(small());
    const auto s = segment(tm, 5, {{0, 0.6f}, {1, 0.6f}, {2, 0.6f}});
    tm.compute(Sdr{0}, true);
    tm.compute(Sdr{2}, true);
    CHECK(perm(tm, s, 0) == 0.6f);
}

TEST_CASE("tm: synapses that reach 0 are destroyed, and so is an empty segment", "[htm][tm]") {
    auto p = small();
    p.predicted_segment_decrement = 0.5f;
    auto tm = make(p);
    const auto s = segment(tm, 5, {{0, 0.6f}, {1, 0.6f}, {2, 0.3f}});
    tm.compute(Sdr{0}, true);
    tm.compute(Sdr{2}, true); // punished: 0.6 -> 0.1, 0.6 -> 0.1, 0.3 -> 0 (destroyed)
    CHECK(tm.connections().synapses_of(s).size() == 2);
    CHECK(perm(tm, s, 2) == -1.0f);
    tm.reset();
    tm.compute(Sdr{0}, true);
    tm.compute(Sdr{3}, true); // 0.1 -> 0: both destroyed, and with them the segment
    CHECK(tm.connections().segments_of(5).empty());
}

TEST_CASE("tm: at max_synapses_per_segment the weakest synapse makes room", "[htm][tm]") {
    auto p = small();
    p.max_synapses_per_segment = 3;
    auto tm = make(p);
    for (std::uint32_t c = 0; c < 3; ++c) segment(tm, c, {{100, 0.3f}}); // winner of column 0 will be cell 3
    // Matching, not active: 2 synapses onto column 0 (none connected) and one onto cell 20.
    const auto s = segment(tm, 5, {{0, 0.3f}, {1, 0.3f}, {20, 0.4f}});
    tm.compute(Sdr{0}, true);
    tm.compute(Sdr{1}, true);
    // Column 1 bursts; the matching segment learns: 0, 1 -> 0.4; 20 -> 0.3. It wants
    // 3 - 2 = 1 new synapse (onto winner 3) but holds 3 = the limit: the weakest (20, 0.3) goes.
    CHECK(tm.winner_cells() == Sdr{5});
    CHECK(tm.connections().synapses_of(s).size() == 3);
    CHECK(perm(tm, s, 0) == Approx(0.4).margin(1e-6));
    CHECK(perm(tm, s, 1) == Approx(0.4).margin(1e-6));
    CHECK(perm(tm, s, 20) == -1.0f);
    CHECK(perm(tm, s, 3) == Approx(0.21).margin(1e-6));
}

TEST_CASE("tm: at max_segments_per_cell the least recently used segment is replaced", "[htm][tm]") {
    auto p = small();
    p.cells_per_column = 1; // the winner of a bursting column is its only cell
    p.max_segments_per_cell = 1;
    auto tm = make(p);
    tm.compute(Sdr{0}, true);
    tm.compute(Sdr{1}, true); // cell 1 gets a segment onto cell 0
    REQUIRE(tm.connections().segments_of(1).size() == 1);
    tm.reset();
    tm.compute(Sdr{5}, true);
    tm.compute(Sdr{1}, true); // unpredicted again: a new segment onto cell 5 replaces the old one
    REQUIRE(tm.connections().segments_of(1).size() == 1);
    const auto seg = tm.connections().segments_of(1)[0];
    REQUIRE(tm.connections().synapses_of(seg).size() == 1);
    CHECK(tm.connections().presyn(tm.connections().synapses_of(seg)[0]) == 5);
}

TEST_CASE("tm: the least recently used of two segments is the one replaced", "[htm][tm]") {
    auto p = small();
    p.cells_per_column = 1;
    p.max_segments_per_cell = 2;
    p.max_new_synapse_count = 1;
    p.activation_threshold = 1;
    p.min_threshold = 1;
    auto tm = make(p);
    // Cell 1 learns "0 -> 1" (old segment), then "5 -> 1" (newer); then "0 -> 1" is used
    // again (active with learning: last used now), so "5 -> 1" becomes least recently used.
    tm.compute(Sdr{0}, true), tm.compute(Sdr{1}, true), tm.reset();
    tm.compute(Sdr{5}, true), tm.compute(Sdr{1}, true), tm.reset();
    REQUIRE(tm.connections().segments_of(1).size() == 2);
    // make "0 -> 1" connected so it is active (one synapse, activation threshold 1)
    for (auto s : tm.connections().segments_of(1))
        for (auto y : tm.connections().synapses_of(s)) tm.connections().set_permanence(y, 0.6f);
    tm.compute(Sdr{0}, true), tm.compute(Sdr{1}, true), tm.reset();
    tm.compute(Sdr{7}, true), tm.compute(Sdr{1}, true); // third context: one segment must go
    std::vector<std::uint32_t> pres;
    for (auto s : tm.connections().segments_of(1))
        for (auto y : tm.connections().synapses_of(s)) pres.push_back(tm.connections().presyn(y));
    std::sort(pres.begin(), pres.end());
    CHECK(pres == std::vector<std::uint32_t>{0, 7});
}

namespace {
// 4-column patterns on a 64-column TM.
Sdr pattern(std::uint32_t first) { return {first, first + 1, first + 2, first + 3}; }

TmParams seq_params() {
    TmParams p = small(); // thresholds 3 / 2, permanences 0.21 / 0.5, +-0.1
    p.columns = 64;
    p.cells_per_column = 8;
    p.max_new_synapse_count = 4;
    return p;
}
} // namespace

TEST_CASE("tm: a repeated sequence stops bursting after a few presentations", "[htm][tm][sequence]") {
    // Each new synapse starts at 0.21 and gains 0.1 per presentation: connected (>= 0.5)
    // after the 3rd reinforcement, i.e. at the end of presentation 4. From presentation 5
    // on, B, C and D are predicted; A (first after a reset) always bursts.
    auto tm = make(seq_params());
    const std::vector<Sdr> seq{pattern(0), pattern(10), pattern(20), pattern(30)};
    for (int pres = 1; pres <= 7; ++pres) {
        for (std::size_t k = 0; k < seq.size(); ++k) {
            tm.compute(seq[k], true);
            INFO("presentation " << pres << ", element " << k);
            if (k == 0 || pres <= 4) {
                CHECK(tm.bursting_columns() == seq[k]);
                CHECK(tm.anomaly() == 1.0);
            } else {
                CHECK(tm.bursting_columns().empty());
                CHECK(tm.anomaly() == 0.0);
                CHECK(tm.active_cells().size() == 4); // one cell per column
            }
        }
        tm.reset();
    }
}

TEST_CASE("tm: high-order sequences A B C D and X B C Y are told apart", "[htm][tm][sequence]") {
    auto p = seq_params();
    p.predicted_segment_decrement = 0.05f;
    auto tm = make(p, 3);
    const Sdr A = pattern(0), B = pattern(8), C = pattern(16), D = pattern(24), X = pattern(32), Y = pattern(40);
    for (int pres = 0; pres < 40; ++pres) {
        for (const Sdr* s : {&A, &B, &C, &D}) tm.compute(*s, true);
        tm.reset();
        for (const Sdr* s : {&X, &B, &C, &Y}) tm.compute(*s, true);
        tm.reset();
    }
    auto predicted_columns = [&] {
        Sdr cols;
        for (auto c : tm.predictive_cells()) cols.push_back(c / p.cells_per_column);
        normalize(cols);
        return cols;
    };
    for (const Sdr* s : {&A, &B, &C}) tm.compute(*s, false);
    CHECK(predicted_columns() == D);
    tm.reset();
    for (const Sdr* s : {&X, &B, &C}) tm.compute(*s, false);
    CHECK(predicted_columns() == Y);
    // and B itself is represented by different cells in the two contexts
    tm.reset();
    tm.compute(A, false), tm.compute(B, false);
    const Sdr b_after_a = tm.active_cells();
    tm.reset();
    tm.compute(X, false), tm.compute(B, false);
    CHECK(overlap(b_after_a, tm.active_cells()) == 0);
    CHECK(tm.active_cells().size() == 4);
}

TEST_CASE("tm: same seed, same inputs: identical state", "[htm][tm]") {
    auto run = [](std::uint64_t seed) {
        auto tm = make(seq_params(), seed);
        RandomStream in(7, 1, 0);
        std::vector<Sdr> out;
        for (int t = 0; t < 200; ++t) {
            Sdr cols;
            for (int k = 0; k < 4; ++k) cols.push_back(in.below(64));
            normalize(cols);
            tm.compute(cols, true);
            out.push_back(tm.active_cells());
            out.push_back(tm.winner_cells());
        }
        return out;
    };
    CHECK(run(5) == run(5));
}
