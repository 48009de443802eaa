// exp(x) from basic IEEE operations only, so loops calling it vectorise and every
// instruction set computes the same bits (glibc's exp does not vectorise without
// -ffast-math). Accuracy: within 2 ulp of exp(x) for -700 <= x <= 700; 0 below -700.
// Method: x = k ln2 + r with |r| <= ln2/2 (Cody-Waite, two-part ln2), exp(r) by its Taylor
// series to degree 13 (truncation below 1e-17 relative), then 2^k added to the exponent.
#pragma once
#include <bit>
#include <cstdint>

namespace apical::models {

[[gnu::always_inline]] inline double fast_exp(double x) {
    const double shift = 0x1.8p52; // adding it rounds to an integer kept in the low mantissa bits
    double kd = x * 1.4426950408889634 + shift;
    const std::int64_t k = std::bit_cast<std::int64_t>(kd) - std::bit_cast<std::int64_t>(shift);
    kd -= shift;
    const double r = (x - kd * 0x1.62e42fefa3800p-1) - kd * 0x1.ef35793c76730p-45;
    double p = 1.0 / 6227020800.0; // 1/13!
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    const double y = std::bit_cast<double>(std::bit_cast<std::int64_t>(p) + k * (std::int64_t(1) << 52));
    const std::uint64_t m = 0 - static_cast<std::uint64_t>(x >= -700.0);
    return std::bit_cast<double>(std::bit_cast<std::uint64_t>(y) & m);
}

} // namespace apical::models
