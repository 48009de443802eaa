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
