// Spatial pooler behaviours from the algorithm description (models/htm/spatial_pooler.hpp).
// Permanences are set by hand where a test needs known overlaps.
#include "models/htm/spatial_pooler.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace apical;
using namespace apical::models::htm;

namespace {

SpatialPooler make(const SpParams& p, std::uint64_t seed = 1) { return SpatialPooler(p, RandomStream(seed, 42, 0)); }

Sdr all_bits(std::uint32_t n) {
    Sdr s(n);
    std::iota(s.begin(), s.end(), 0u);
    return s;
}

// Column c gets exactly overlap[c] connected synapses (the first ones of its pool).
void set_connected(SpatialPooler& sp, const std::vector<std::uint32_t>& overlap) {
    for (std::uint32_t c = 0; c < overlap.size(); ++c) {
        auto perms = sp.permanences(c);
        for (std::size_t k = 0; k < perms.size(); ++k) perms[k] = k < overlap[c] ? 0.2f : 0.0f;
    }
}

// 10 inputs, 10 columns, whole-input pools (all 10 inputs each), 2 winners.
SpParams tiny() {
    SpParams p;
    p.inputs = 10;
    p.columns = 10;
    p.potential_radius = 0;
    p.potential_pct = 1.0;
    p.local_area_density = 0.2;
    p.syn_perm_connected = 0.1f;
    p.syn_perm_active_inc = 0.05f;
    p.syn_perm_inactive_dec = 0.008f;
    return p;
}

} // namespace

TEST_CASE("sp: potential pools are potential_pct of the window around the column centre", "[htm][sp]") {
    SpParams p;
    p.inputs = 100;
    p.columns = 50;
    p.potential_radius = 5;
    p.potential_pct = 0.5;
    auto sp = make(p);
    for (std::uint32_t c = 0; c < p.columns; ++c) {
        auto pool = sp.pool(c);
        REQUIRE(pool.size() == 6); // round(0.5 * 11)
        CHECK(std::is_sorted(pool.begin(), pool.end()));
        CHECK(std::adjacent_find(pool.begin(), pool.end()) == pool.end());
        const int centre = static_cast<int>(2 * c + 1); // floor((c + 0.5) * 100 / 50)
        for (auto b : pool) {
            int d = std::abs(static_cast<int>(b) - centre);
            d = std::min(d, 100 - d); // the input wraps around
            CHECK(d <= 5);
        }
        for (float x : sp.permanences(c)) {
            CHECK(x >= 0.0f);
            // connected: in [0.1, 0.1 + 0.05 / 4]; not connected: below 0.1
            CHECK(x <= 0.1f + 0.0125f + 1e-6f);
        }
    }
}

TEST_CASE("sp: about half of each pool starts connected", "[htm][sp]") {
    SpParams p;
    p.inputs = 1000;
    p.columns = 200;
    p.potential_radius = 0;
    p.potential_pct = 0.5;
    auto sp = make(p);
    std::size_t connected = 0, total = 0;
    for (std::uint32_t c = 0; c < p.columns; ++c) connected += sp.connected_count(c), total += sp.pool(c).size();
    CHECK(total == 200 * 500);
    CHECK(static_cast<double>(connected) / static_cast<double>(total) == Approx(0.5).margin(0.01));
}

TEST_CASE("sp: global inhibition keeps the k columns with the highest overlap, ties to the lower index", "[htm][sp]") {
    auto sp = make(tiny());
    set_connected(sp, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    Sdr out;
    sp.compute(all_bits(10), false, out);
    CHECK(out == Sdr{8, 9});
    CHECK(sp.overlaps()[9] == 9);
    set_connected(sp, {0, 5, 7, 7, 7, 1, 1, 1, 1, 1});
    sp.compute(all_bits(10), false, out);
    CHECK(out == Sdr{2, 3});
    // only the active input bits count
    sp.compute(Sdr{0, 1}, false, out);
    CHECK(sp.overlaps()[1] == 2);
    CHECK(sp.overlaps()[5] == 1);
    CHECK(out == Sdr{1, 2});
}

TEST_CASE("sp: stimulus_threshold drops weak winners; no overlap never wins", "[htm][sp]") {
    auto p = tiny();
    p.stimulus_threshold = 3;
    auto sp = make(p);
    set_connected(sp, {0, 0, 0, 0, 0, 0, 0, 0, 2, 4});
    Sdr out;
    sp.compute(all_bits(10), false, out);
    CHECK(out == Sdr{9}); // column 8 is in the top 2 but below the threshold
    p.stimulus_threshold = 0;
    auto sp2 = make(p);
    set_connected(sp2, {0, 0, 0, 0, 0, 0, 0, 0, 0, 4});
    sp2.compute(all_bits(10), false, out);
    CHECK(out == Sdr{9});
}

TEST_CASE("sp: learning moves winner permanences by +active_inc / -inactive_dec", "[htm][sp]") {
    auto sp = make(tiny());
    set_connected(sp, {1, 0, 0, 0, 0, 0, 0, 0, 5, 6});
    Sdr out;
    const Sdr in{0, 1, 2, 3, 4};
    sp.compute(in, true, out);
    REQUIRE(out == Sdr{8, 9});
    auto p9 = sp.permanences(9); // pool = inputs 0..9 in order; first 6 at 0.2, rest 0
    for (std::uint32_t k = 0; k < 10; ++k) {
        const double before = k < 6 ? 0.2 : 0.0;
        const double expect = k < 5 ? before + 0.05 : std::max(0.0, before - 0.008);
        CHECK(p9[k] == Approx(expect).margin(1e-6));
    }
    // a loser with some overlap (so not "weak") is not touched
    CHECK(sp.permanences(0)[0] == 0.2f);
    for (std::uint32_t k = 1; k < 10; ++k) CHECK(sp.permanences(0)[k] == 0.0f);
}

TEST_CASE("sp: learning off changes no permanence", "[htm][sp]") {
    auto sp = make(tiny());
    set_connected(sp, {0, 0, 0, 0, 0, 0, 0, 0, 5, 6});
    Sdr out;
    sp.compute(Sdr{0, 1, 2}, false, out);
    CHECK(sp.permanences(9)[0] == 0.2f);
    CHECK(sp.active_duty_cycles()[9] == 0.0);
}

TEST_CASE("sp: duty cycles are moving averages; boost = exp((density - duty) * strength)", "[htm][sp]") {
    auto p = tiny();
    p.boost_strength = 2.0;
    p.duty_cycle_period = 1000;
    auto sp = make(p);
    set_connected(sp, {1, 1, 1, 1, 1, 1, 1, 1, 5, 6});
    Sdr out;
    sp.compute(all_bits(10), true, out);
    REQUIRE(out == Sdr{8, 9});
    // step 1: period min(1000, 1) = 1, so duty = this step's activity
    CHECK(sp.active_duty_cycles()[9] == Approx(1.0));
    CHECK(sp.active_duty_cycles()[0] == Approx(0.0));
    CHECK(sp.overlap_duty_cycles()[0] == Approx(1.0));
    CHECK(sp.boost_factors()[9] == Approx(std::exp((0.2 - 1.0) * 2.0)).epsilon(1e-6)); // 0.2019
    CHECK(sp.boost_factors()[0] == Approx(std::exp(0.2 * 2.0)).epsilon(1e-6));         // 1.4918
    // step 2 with no input: period 2, duty = (duty * 1 + 0) / 2
    sp.compute(Sdr{}, true, out);
    CHECK(out.empty());
    CHECK(sp.active_duty_cycles()[9] == Approx(0.5));
    CHECK(sp.overlap_duty_cycles()[0] == Approx(0.5));
}

TEST_CASE("sp: boosting lets a starved column win", "[htm][sp]") {
    auto p = tiny();
    p.boost_strength = 10.0;
    auto sp = make(p);
    set_connected(sp, {4, 4, 4, 4, 4, 4, 4, 4, 5, 5});
    Sdr out;
    sp.compute(all_bits(10), true, out);
    CHECK(out == Sdr{8, 9});
    // Now 8 and 9 have duty 1 (boost e^-8), the others 0 (boost e^2): 4 * e^2 beats 5 * e^-8.
    set_connected(sp, {4, 4, 4, 4, 4, 4, 4, 4, 5, 5}); // undo learning
    sp.compute(all_bits(10), false, out);
    CHECK(out == Sdr{0, 1});
}

TEST_CASE("sp: local inhibition: a column wins against the neighbours within the inhibition radius", "[htm][sp]") {
    SpParams p;
    p.inputs = 20;
    p.columns = 20;
    p.potential_radius = 2;
    p.potential_pct = 1.0;      // pool = the 5 inputs around the centre
    p.init_connected_pct = 1.0; // all connected
    p.global_inhibition = false;
    p.local_area_density = 0.2;
    auto sp = make(p);
    // Connected span = max - min + 1 of the connected inputs (wrap-around ignored): 5 for
    // columns 2..17; 20 for columns 0, 1, 18, 19 (pools like {0, 1, 2, 18, 19}).
    // Mean 8 -> diameter 8 x 20/20 = 8 -> radius round(3.5) = 4; area 9, 2 winners each.
    REQUIRE(sp.inhibition_radius() == 4);
    set_connected(sp, {1, 5, 1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 4, 1, 1, 1, 1, 1});
    Sdr out;
    sp.compute(all_bits(20), false, out);
    // 1, 7 and 14 beat all their neighbours; column 0 is beaten only by column 1 (equal
    // overlaps beat it only from lower indices, and it has none); every other column is
    // beaten by at least two.
    CHECK(out == Sdr{0, 1, 7, 14});
}

TEST_CASE("sp: weak columns get their permanences bumped", "[htm][sp]") {
    auto p = tiny();
    p.min_pct_overlap_duty_cycles = 0.5;
    auto sp = make(p);
    set_connected(sp, {0, 0, 0, 0, 0, 0, 0, 0, 5, 6});
    Sdr out;
    sp.compute(all_bits(10), true, out);
    // Columns 0..7 had no overlap (duty 0 < 0.5 x 1): +syn_perm_connected / 10 everywhere.
    for (float x : sp.permanences(0)) CHECK(x == Approx(0.01).margin(1e-6));
}

TEST_CASE("sp: same seed, same pools and same output", "[htm][sp]") {
    SpParams p;
    p.inputs = 200;
    p.columns = 256;
    auto a = make(p, 9), b = make(p, 9);
    RandomStream in(3, 1, 0);
    for (int t = 0; t < 50; ++t) {
        Sdr x;
        for (int k = 0; k < 20; ++k) x.push_back(in.below(200));
        normalize(x);
        Sdr oa, ob;
        a.compute(x, true, oa);
        b.compute(x, true, ob);
        REQUIRE(oa == ob);
        CHECK(oa.size() == 5); // round(0.02 * 256)
    }
}
