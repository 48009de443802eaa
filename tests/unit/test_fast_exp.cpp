#include "models/fast_exp.hpp"

#include <catch2/catch.hpp>

#include <cmath>

TEST_CASE("fast_exp agrees with std::exp to 2 ulp over the range used", "[fast_exp]") {
    double worst = 0;
    for (int i = 0; i <= 200000; ++i) {
        const double x = -700.0 + 1400.0 * i / 200000.0;
        const double a = apical::models::fast_exp(x), b = std::exp(x);
        worst = std::max(worst, std::abs(a - b) / b);
    }
    // Small arguments (step fractions over time constants) in detail.
    for (int i = 0; i <= 100000; ++i) {
        const double x = -1.0 * i / 100000.0;
        worst = std::max(worst, std::abs(apical::models::fast_exp(x) - std::exp(x)) / std::exp(x));
    }
    CHECK(worst <= 4.5e-16); // 2 ulp
    CHECK(apical::models::fast_exp(0.0) == 1.0);
    CHECK(apical::models::fast_exp(-800.0) == 0.0);
}

#include "models/fast_log.hpp"

TEST_CASE("fast_log agrees with std::log to 4 ulp from 2^-60 to 2^60", "[fast_log]") {
    // Relative error against glibc's log (itself within 1 ulp), on a log-spaced sweep from
    // 2^-60 to 2^60 and, in detail, near 1 where log x is small.
    double worst = 0;
    for (int i = 0; i <= 200000; ++i) {
        const double x = std::exp2(-60.0 + 120.0 * i / 200000.0);
        if (x == 1.0) continue;
        worst = std::max(worst, std::abs(apical::models::fast_log(x) - std::log(x)) / std::abs(std::log(x)));
    }
    for (int i = 1; i <= 100000; ++i) {
        const double x = 1.0 - i * 1e-7, y = 1.0 + i * 1e-7;
        worst = std::max(worst, std::abs(apical::models::fast_log(x) - std::log(x)) / std::abs(std::log(x)));
        worst = std::max(worst, std::abs(apical::models::fast_log(y) - std::log(y)) / std::abs(std::log(y)));
    }
    CHECK(worst <= 9e-16); // 4 ulp
    CHECK(apical::models::fast_log(1.0) == 0.0);
    CHECK(apical::models::fast_log(0x1p-53) == Approx(-53 * std::log(2.0)).epsilon(1e-15));
}
