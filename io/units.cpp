#include "io/units.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace apical::io {
namespace {

// One accepted unit: canonical value = number * mul / div. Factors below one are
// written as a divisor so that "100 us" gives exactly the double nearest 0.1.
struct UnitDef {
    std::string_view symbol;
    Dim dim;
    double mul, div;
};

// Per dimension, the canonical unit comes first (allowed_units() lists them in this order).
// clang-format off
constexpr std::array<UnitDef, 28> kUnits{{
    {"ms", Dim::time, 1, 1}, {"s", Dim::time, 1e3, 1}, {"us", Dim::time, 1, 1e3},
    {"mV", Dim::voltage, 1, 1}, {"V", Dim::voltage, 1e3, 1}, {"uV", Dim::voltage, 1, 1e3},
    {"pA", Dim::current, 1, 1}, {"nA", Dim::current, 1e3, 1}, {"uA", Dim::current, 1e6, 1},
        {"mA", Dim::current, 1e9, 1}, {"A", Dim::current, 1e12, 1},
    {"nS", Dim::conductance, 1, 1}, {"pS", Dim::conductance, 1, 1e3}, {"uS", Dim::conductance, 1e3, 1},
        {"mS", Dim::conductance, 1e6, 1}, {"S", Dim::conductance, 1e9, 1},
    {"pF", Dim::capacitance, 1, 1}, {"nF", Dim::capacitance, 1e3, 1}, {"uF", Dim::capacitance, 1e6, 1},
        {"F", Dim::capacitance, 1e12, 1},
    {"Hz", Dim::frequency, 1, 1}, {"kHz", Dim::frequency, 1e3, 1},
    {"um", Dim::length, 1, 1}, {"mm", Dim::length, 1e3, 1}, {"m", Dim::length, 1e6, 1},
    {"mM", Dim::concentration, 1, 1}, {"uM", Dim::concentration, 1, 1e3}, {"M", Dim::concentration, 1e3, 1},
}};
// clang-format on

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

const UnitDef* find_unit(std::string_view sym) {
    // People write micro as "u", the micro sign (U+00B5) or Greek mu (U+03BC).
    std::string norm(sym);
    for (std::string_view micro : {"\xC2\xB5", "\xCE\xBC"})
        if (norm.starts_with(micro)) norm = "u" + norm.substr(micro.size());
    for (auto& u : kUnits)
        if (u.symbol == norm) return &u;
    return nullptr;
}

std::string all_units() {
    std::string out;
    for (Dim d : {Dim::time, Dim::voltage, Dim::current, Dim::conductance, Dim::capacitance, Dim::frequency,
                  Dim::length, Dim::concentration})
        out += (out.empty() ? "" : "; ") + allowed_units(d);
    return out;
}

} // namespace

std::string allowed_units(Dim d) {
    std::string out;
    for (auto& u : kUnits) {
        if (u.dim != d) continue;
        if (!out.empty()) out += ", ";
        out += u.symbol;
    }
    return out;
}

std::string describe_dim(Dim d) {
    if (d == Dim::none) return "a dimensionless number";
    return "a " + std::string(dim_name(d)) + " (" + allowed_units(d) + ")";
}

Quantity parse_quantity(std::string_view text) {
    const std::string_view s = trim(text);
    std::string_view num = s;
    // from_chars accepts no leading '+', but people write "+5 mV" (not "+-5 mV").
    if (num.starts_with('+') && !num.starts_with("+-")) num.remove_prefix(1);
    double x = 0.0;
    const auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), x);
    if (ec != std::errc())
        throw UnitError("expected a number with an optional unit (like \"0.5 s\" or \"-65 mV\"), got \"" +
                        std::string(s) + "\"");
    if (!std::isfinite(x)) throw UnitError("expected a finite number, got \"" + std::string(s) + "\"");
    const std::string_view unit = trim(std::string_view(end, num.data() + num.size() - end));
    if (unit.empty()) return {x, Dim::none};
    const UnitDef* u = find_unit(unit);
    if (!u)
        throw UnitError("unknown unit \"" + std::string(unit) + "\" in \"" + std::string(s) +
                        "\"; allowed: " + all_units());
    return {x * u->mul / u->div, u->dim};
}

double parse_in(std::string_view text, Dim expected) {
    const Quantity q = parse_quantity(text);
    if (q.dim != expected) {
        std::string msg = "expected " + describe_dim(expected) + ", got \"" + std::string(trim(text)) + "\"";
        if (q.dim == Dim::none) msg += "; units are required";
        throw UnitError(msg);
    }
    return q.value;
}

} // namespace apical::io
