// Quantities with units, as written in scenario files ("0.5 s", "-65 mV", "2 nA"),
// converted to the canonical units of core/units.hpp. The scenario reader adds the
// file position to the messages thrown here.
#pragma once
#include "core/units.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace apical::io {

// A malformed quantity or one of the wrong dimension; what() says what is wrong and
// what is allowed, without a file position.
class UnitError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

struct Quantity {
    double value = 0.0; // in the canonical unit of `dim`
    Dim dim = Dim::none;
};

// "NUMBER [UNIT]" with optional spaces between; a bare number is dimensionless.
// Throws UnitError for an unknown unit, a missing or non-finite number.
Quantity parse_quantity(std::string_view text);

// parse_quantity, then require dimension `expected`; the value in canonical units.
// Dimensional values must carry a unit: "5" for a time is an error.
double parse_in(std::string_view text, Dim expected);

// The units accepted for a dimension, canonical first: "ms, s, us".
std::string allowed_units(Dim d);

// "a time (ms, s, us)" or "a dimensionless number": used in error messages.
std::string describe_dim(Dim d);

} // namespace apical::io
