// Drawing values from a Distribution with a counter-based stream.
#pragma once
#include "core/network.hpp"
#include "core/random.hpp"

#include <algorithm>
#include <cmath>

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

} // namespace apical
