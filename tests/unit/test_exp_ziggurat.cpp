// The ziggurat exponential sampler against the Exp(1) distribution.
#include "models/exp_ziggurat.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

TEST_CASE("ziggurat exponentials follow Exp(1): moments, KS distance, tail", "[ziggurat][statistics]") {
    // 10^6 draws from one stream. Checks at stated significance (the draws are fixed by the seed,
    // so the test is deterministic; a wrong table or layer test fails these by orders of magnitude):
    // - mean and variance 1 within 5 standard errors (se(mean) = 1e-3, se(var) ~ 2.8e-3);
    // - Kolmogorov-Smirnov distance to 1 - exp(-x) below 1.95 / sqrt(n) (alpha = 0.001);
    // - the fraction beyond the tail start R = 7.697 (exp(-R) = 4.54e-4) within 5 binomial sd;
    // - in 64 equiprobable bins, chi-square below 120 (63 dof; p < 1e-5 above).
    apical::RandomStream s(12345, 1, 0);
    const auto& z = apical::models::ExpZiggurat::instance();
    const int n = 1000000;
    std::vector<double> x(n);
    for (auto& v : x) v = z(s);
    double mean = 0, m2 = 0;
    for (double v : x) mean += v;
    mean /= n;
    for (double v : x) m2 += (v - mean) * (v - mean);
    const double var = m2 / (n - 1);
    CHECK(std::abs(mean - 1.0) < 5e-3);
    CHECK(std::abs(var - 1.0) < 1.4e-2);
    std::sort(x.begin(), x.end());
    CHECK(x.front() >= 0.0);
    double d = 0;
    for (int i = 0; i < n; ++i) {
        const double F = 1.0 - std::exp(-x[i]);
        d = std::max({d, std::abs(F - double(i) / n), std::abs(F - double(i + 1) / n)});
    }
    CHECK(d < 1.95 / std::sqrt(double(n)));
    const double p_tail = std::exp(-7.69711747013104972);
    const double tail = double(x.end() - std::upper_bound(x.begin(), x.end(), 7.69711747013104972)) / n;
    CHECK(std::abs(tail - p_tail) < 5 * std::sqrt(p_tail * (1 - p_tail) / n));
    std::vector<int> bins(64, 0);
    for (double v : x) ++bins[std::min(63, int((1.0 - std::exp(-v)) * 64))];
    double chi2 = 0;
    for (int b : bins) chi2 += (b - n / 64.0) * (b - n / 64.0) / (n / 64.0);
    CHECK(chi2 < 120.0);
}
