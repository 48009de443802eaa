// Drawing values from a Distribution with a counter-based stream.
#pragma once
#include "core/network.hpp"
#include "core/random.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace apical {

inline double draw(const Distribution& d, RandomStream& rs) {
    switch (d.kind) {
    case Distribution::Kind::constant: return d.a;
    case Distribution::Kind::uniform: return d.a + (d.b - d.a) * rs.uniform();
    case Distribution::Kind::normal: {
        // Clipping (not redrawing) keeps one draw per value, so streams stay aligned.
        return std::clamp(d.a + d.b * rs.normal(), d.lo, d.hi);
    }
    case Distribution::Kind::lognormal: return std::exp(d.a + d.b * rs.normal());
    }
    return d.a;
}

// The smallest and the largest value draw() can return (-inf / +inf when unbounded).
struct ValueRange {
    double min, max;
};
inline ValueRange value_range(const Distribution& d) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    switch (d.kind) {
    case Distribution::Kind::constant: return {d.a, d.a};
    case Distribution::Kind::uniform: return {std::min(d.a, d.b), std::max(d.a, d.b)};
    case Distribution::Kind::normal: return {d.lo, d.hi};
    case Distribution::Kind::lognormal: return {0.0, inf};
    }
    return {d.a, d.a};
}

} // namespace apical
