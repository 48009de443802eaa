// Physical dimensions and the canonical units used everywhere inside the engine.
// Conversion from user-facing units happens once, in io/ (see io/units.hpp).
#pragma once
#include <cstdint>
#include <string_view>

namespace apical {

// Canonical units: ms, mV, pA, nS, pF, Hz, um, mM. With these, pA = nS * mV and
// ms = pF / nS, so model equations need no conversion factors.
enum class Dim : std::uint8_t {
    none,         // dimensionless
    time,         // ms
    voltage,      // mV
    current,      // pA
    conductance,  // nS
    capacitance,  // pF
    frequency,    // Hz
    length,       // um
    concentration // mM
};

constexpr std::string_view canonical_unit(Dim d) {
    switch (d) {
    case Dim::none: return "1";
    case Dim::time: return "ms";
    case Dim::voltage: return "mV";
    case Dim::current: return "pA";
    case Dim::conductance: return "nS";
    case Dim::capacitance: return "pF";
    case Dim::frequency: return "Hz";
    case Dim::length: return "um";
    case Dim::concentration: return "mM";
    }
    return "?";
}

constexpr std::string_view dim_name(Dim d) {
    switch (d) {
    case Dim::none: return "dimensionless";
    case Dim::time: return "time";
    case Dim::voltage: return "voltage";
    case Dim::current: return "current";
    case Dim::conductance: return "conductance";
    case Dim::capacitance: return "capacitance";
    case Dim::frequency: return "frequency";
    case Dim::length: return "length";
    case Dim::concentration: return "concentration";
    }
    return "?";
}

} // namespace apical
