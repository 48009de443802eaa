// Encoders and anomaly likelihood, against hand-computed bit positions and values.
#include "models/htm/anomaly.hpp"
#include "models/htm/encoders.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace apical::models::htm;

namespace {
Sdr range(std::uint32_t a, std::uint32_t b) { // [a, b)
    Sdr s;
    for (auto i = a; i < b; ++i) s.push_back(i);
    return s;
}
} // namespace

TEST_CASE("scalar encoder: a block of active_bits that moves with the value, clipped", "[htm][encoder]") {
    ScalarEncoder e({0.0, 100.0, 100, 21, false});
    Sdr s;
    e.encode(50.0, s, 0); // round(0.5 * 79) = 40 (half away from zero)
    CHECK(s == range(40, 61));
    s.clear(), e.encode(0.0, s, 0);
    CHECK(s == range(0, 21));
    s.clear(), e.encode(100.0, s, 0);
    CHECK(s == range(79, 100));
    s.clear(), e.encode(150.0, s, 0);
    CHECK(s == range(79, 100));
    s.clear(), e.encode(-3.0, s, 5); // offset shifts every bit
    CHECK(s == range(5, 26));
    s.clear(), e.encode(std::nan(""), s, 0);
    CHECK(s.empty());
}

TEST_CASE("scalar encoder, periodic: the block wraps around", "[htm][encoder]") {
    ScalarEncoder e({0.0, 24.0, 24, 3, true});
    Sdr s;
    e.encode(23.0, s, 0);
    CHECK(s == Sdr{0, 1, 23});
    s.clear(), e.encode(24.0, s, 0); // = 0
    CHECK(s == Sdr{0, 1, 2});
    s.clear(), e.encode(6.5, s, 0); // floor(6.5) = 6
    CHECK(s == Sdr{6, 7, 8});
}

TEST_CASE("rdse: nearby values share bits, far values (almost) none", "[htm][encoder]") {
    RdseEncoder e({1000, 21, 1.0, 7});
    Sdr a, a2, b, c;
    e.encode(10.0, a, 0);
    e.encode(10.9, a2, 0); // same bucket
    e.encode(11.0, b, 0);  // next bucket: 20 of 21 hash inputs shared
    e.encode(500.0, c, 0);
    CHECK(a == a2);
    CHECK(a.size() >= 19); // 21 bits, minus rare collisions in 1000
    CHECK(overlap(a, b) >= 18);
    CHECK(overlap(a, c) <= 3);
    for (auto x : a) CHECK(x < 1000);
    RdseEncoder other({1000, 21, 1.0, 8});
    Sdr d;
    other.encode(10.0, d, 0);
    CHECK(overlap(a, d) <= 3); // another seed, another code
}

TEST_CASE("category encoder: disjoint blocks, unknown categories encode to nothing", "[htm][encoder]") {
    CategoryEncoder e({4, 3});
    CHECK(e.size() == 12);
    Sdr s;
    e.encode(2.0, s, 0);
    CHECK(s == Sdr{6, 7, 8});
    s.clear(), e.encode(4.0, s, 0);
    CHECK(s.empty());
    s.clear(), e.encode(1.5, s, 0);
    CHECK(s.empty());
}

TEST_CASE("date encoder: time of day, day of week, weekend from Unix seconds", "[htm][encoder]") {
    DateParams p;
    p.time_of_day_bits = 3, p.time_of_day_size = 24;
    p.day_of_week_bits = 1, p.day_of_week_size = 7;
    p.weekend_bits = 2;
    DateEncoder e(p);
    CHECK(e.size() == 24 + 7 + 4);
    Sdr s;
    e.encode(0.0, s, 0); // Thursday 1970-01-01 00:00 UTC
    CHECK(s == Sdr{0, 1, 2, 24 + 3, 31, 32});
    s.clear();
    e.encode(2 * 86400.0 + 6 * 3600.0, s, 0); // Saturday 06:00
    CHECK(s == Sdr{6, 7, 8, 24 + 5, 33, 34});
}

TEST_CASE("anomaly likelihood: 0.5 while learning, then the normal CDF of the recent average", "[htm][anomaly]") {
    LikelihoodParams p;
    p.learning_period = 2;
    p.estimation_samples = 3;
    p.averaging_window = 1;
    p.reestimation_period = 100;
    AnomalyLikelihood l(p);
    for (double raw : {0.9, 0.9, 0.1, 0.3, 0.2}) CHECK(l.compute(raw) == 0.5);
    // History after the learning period: 0.1 0.3 0.2 0.4; mean 0.25, variance 0.0125.
    // z = 0.15 / sqrt(0.0125) = 1.3416; Phi(z) = 0.910144.
    CHECK(l.compute(0.4) == Approx(0.910144).epsilon(1e-5));
    CHECK(l.mean() == Approx(0.25));
    CHECK(l.sd() == Approx(std::sqrt(0.0125)));
    // Not re-estimated for 100 steps: z = (0.25 - 0.25) / sd = 0
    CHECK(l.compute(0.25) == Approx(0.5));
}

TEST_CASE("anomaly likelihood: the averaging window smooths raw scores", "[htm][anomaly]") {
    LikelihoodParams p;
    p.learning_period = 0;
    p.estimation_samples = 2;
    p.averaging_window = 2;
    AnomalyLikelihood l(p);
    l.compute(0.0); // avg 0
    l.compute(0.0); // avg 0   -> history 0, 0
    // avg (0 + 1) / 2 = 0.5; history 0, 0, 0.5: mean 1/6, variance 1/18
    const double z = (0.5 - 1.0 / 6.0) / std::sqrt(1.0 / 18.0);
    CHECK(l.compute(1.0) == Approx(0.5 * std::erfc(-z / std::sqrt(2.0))).epsilon(1e-9));
}

TEST_CASE("anomaly log likelihood", "[htm][anomaly]") {
    CHECK(AnomalyLikelihood::log_likelihood(0.5) == Approx(0.0301030).epsilon(1e-5));
    CHECK(AnomalyLikelihood::log_likelihood(1.0) == Approx(1.0).epsilon(1e-6));
}
