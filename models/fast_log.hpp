// log(x) for normal positive x from basic IEEE operations only, so every machine and
// instruction set computes the same bits, and at a fraction of glibc's cost (it draws every
// Poisson interval). Accuracy: within 4 ulp of log(x) (tests/unit/test_fast_exp.cpp).
// Method: x = 2^e m with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s), s = (m - 1)/(m + 1),
// |s| <= 0.1716, by its odd series to s^23 (truncation below 1e-19); e ln2 in two parts.
#pragma once
#include <bit>
#include <cstdint>

namespace apical::models {

[[gnu::always_inline]] inline double fast_log(double x) {
    std::uint64_t b = std::bit_cast<std::uint64_t>(x);
    std::int64_t e = static_cast<std::int64_t>(b >> 52) - 1023;
    b = (b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL; // m in [1, 2)
    // m >= sqrt(2): use m / 2 and e + 1 (exact: only the exponent changes)
    const std::uint64_t big = 0 - static_cast<std::uint64_t>(b >= 0x3ff6a09e667f3bcdULL);
    b -= big & 0x0010000000000000ULL;
    e += static_cast<std::int64_t>(big & 1);
    const double m = std::bit_cast<double>(b);
    const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
    // p(z) = sum_{i=0..10} z^i / (2i + 3), z = s^2, by Estrin's scheme: a shallow dependency
    // tree instead of an 11-deep Horner chain (this function is latency-bound).
    const double z = s2, z2 = z * z, z4 = z2 * z2, z8 = z4 * z4;
    const double q0 = 1.0 / 3 + z * (1.0 / 5), q1 = 1.0 / 7 + z * (1.0 / 9), q2 = 1.0 / 11 + z * (1.0 / 13);
    const double q3 = 1.0 / 15 + z * (1.0 / 17), q4 = 1.0 / 19 + z * (1.0 / 21);
    const double r0 = q0 + z2 * q1, r1 = q2 + z2 * q3, r2 = q4 + z2 * (1.0 / 23);
    const double p = (r0 + z4 * r1) + z8 * r2;
    const double ed = static_cast<double>(e);
    // 2 s + 2 s^3 p: the leading term kept apart so its rounding does not swamp the rest.
    return ed * 0x1.62e42fefa3800p-1 + (2.0 * s + (2.0 * s * s2 * p + ed * 0x1.ef35793c76730p-45));
}

} // namespace apical::models
