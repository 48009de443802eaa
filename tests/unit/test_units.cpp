#include "io/units.hpp"

#include <catch2/catch.hpp>

using namespace apical;
using namespace apical::io;
using Catch::Matchers::Contains;

namespace {
// Expected values are written as the decimal literal of the canonical value: the
// parser must land on the same double.
void check(const char* text, double value, Dim dim) {
    INFO(text);
    const Quantity q = parse_quantity(text);
    CHECK(q.dim == dim);
    CHECK(q.value == value);
}
} // namespace

TEST_CASE("quantities convert to canonical units", "[units]") {
    check("0.5 s", 500.0, Dim::time);
    check("2 nA", 2000.0, Dim::current);
    check("-65 mV", -65.0, Dim::voltage);
    check("500 Hz", 500.0, Dim::frequency);
    check("1e-3 s", 1.0, Dim::time);
    check("10 nS", 10.0, Dim::conductance);
    check("200 pF", 200.0, Dim::capacitance);
    check("1.5 um", 1.5, Dim::length);
    check("1 mM", 1.0, Dim::concentration);
    check("0.1ms", 0.1, Dim::time);
    check("100 us", 0.1, Dim::time);
    check("1 V", 1000.0, Dim::voltage);
    check("250 uV", 0.25, Dim::voltage);
    check("1 A", 1e12, Dim::current);
    check("1 mA", 1e9, Dim::current);
    check("0.5 uA", 5e5, Dim::current);
    check("3 pA", 3.0, Dim::current);
    check("1 S", 1e9, Dim::conductance);
    check("2 mS", 2e6, Dim::conductance);
    check("0.01 uS", 10.0, Dim::conductance);
    check("500 pS", 0.5, Dim::conductance);
    check("1 F", 1e12, Dim::capacitance);
    check("1 uF", 1e6, Dim::capacitance);
    check("0.2 nF", 200.0, Dim::capacitance);
    check("2 kHz", 2000.0, Dim::frequency);
    check("1 m", 1e6, Dim::length);
    check("2 mm", 2000.0, Dim::length);
    check("1 M", 1000.0, Dim::concentration);
    check("50 uM", 0.05, Dim::concentration);
    check("+5 mV", 5.0, Dim::voltage);
    check("  7  ms  ", 7.0, Dim::time);
    check("3 \xC2\xB5s", 0.003, Dim::time); // micro sign
    check("3 \xCE\xBCs", 0.003, Dim::time); // Greek mu
}

TEST_CASE("a bare number is dimensionless", "[units]") {
    check("0.35", 0.35, Dim::none);
    check("-2", -2.0, Dim::none);
    check("1e3", 1000.0, Dim::none);
}

TEST_CASE("malformed quantities are rejected", "[units]") {
    CHECK_THROWS_WITH(parse_quantity("fast"), Contains("expected a number"));
    CHECK_THROWS_WITH(parse_quantity(""), Contains("expected a number"));
    CHECK_THROWS_WITH(parse_quantity("5 parsecs"), Contains("unknown unit \"parsecs\""));
    CHECK_THROWS_WITH(parse_quantity("5 parsecs"), Contains("ms, s, us"));
    CHECK_THROWS_WITH(parse_quantity("5 MS"), Contains("unknown unit"));
    CHECK_THROWS_WITH(parse_quantity("nan ms"), Contains("finite"));
    CHECK_THROWS_WITH(parse_quantity("inf"), Contains("finite"));
    CHECK_THROWS_WITH(parse_quantity("+-5 mV"), Contains("expected a number"));
}

TEST_CASE("parse_in checks the dimension and names the allowed units", "[units]") {
    CHECK(parse_in("0.2 s", Dim::time) == 200.0);
    CHECK(parse_in("0.3", Dim::none) == 0.3);
    CHECK_THROWS_WITH(parse_in("5 mV", Dim::time), "expected a time (ms, s, us), got \"5 mV\"");
    CHECK_THROWS_WITH(parse_in("5", Dim::conductance),
                      "expected a conductance (nS, pS, uS, mS, S), got \"5\"; units are required");
    CHECK_THROWS_WITH(parse_in("5 nS", Dim::none), "expected a dimensionless number, got \"5 nS\"");
    CHECK_THROWS_AS(parse_in("1 Hz", Dim::current), UnitError);
}

TEST_CASE("allowed units list the canonical unit first", "[units]") {
    CHECK(allowed_units(Dim::time) == "ms, s, us");
    CHECK(allowed_units(Dim::voltage) == "mV, V, uV");
    CHECK(allowed_units(Dim::current) == "pA, nA, uA, mA, A");
    CHECK(allowed_units(Dim::capacitance) == "pF, nF, uF, F");
    CHECK(allowed_units(Dim::frequency) == "Hz, kHz");
    CHECK(allowed_units(Dim::length) == "um, mm, m");
    CHECK(allowed_units(Dim::concentration) == "mM, uM, M");
    CHECK(describe_dim(Dim::voltage) == "a voltage (mV, V, uV)");
}

// Message helpers used by the scenario reader.
#include "io/suggest.hpp"
#include "io/yaml_check.hpp"

TEST_CASE("typo hints", "[units][suggest]") {
    CHECK(edit_distance("size", "sise") == 1);
    CHECK(edit_distance("lfi", "lif") == 1); // a transposition is one edit
    CHECK(edit_distance("", "abc") == 3);
    CHECK(closest("durration", {"duration", "dt"}) == "duration");
    CHECK(closest("hi", {"low", "high"}) == "high");        // unambiguous prefix
    CHECK(closest("br", {"brette_a", "brette_b"}).empty()); // ambiguous prefix
    CHECK(closest("c_m", {"C_m", "g_L"}) == "C_m");         // case only
    CHECK(closest("xyz", {"size", "model"}).empty());
    CHECK(unknown_choice("model", "lfi", {"lif", "adex"}) ==
          "unknown model 'lfi'; did you mean 'lif'? allowed: lif, adex");
    CHECK(unknown_choice("model", "hh", {"lif"}) == "unknown model 'hh'; allowed: lif");
}

TEST_CASE("numbers and ranges in messages", "[units][suggest]") {
    CHECK(format_number(0.1) == "0.1");
    CHECK(format_number(-1000) == "-1000");
    CHECK(format_number(1e6) == "1e6");
    CHECK(format_number(2.5e-7) == "2.5e-7");
    CHECK(format_quantity(5, Dim::time) == "5 ms");
    CHECK(format_quantity(5, Dim::none) == "5");
    ParamDecl tau{"tau", Dim::time, 5.0, 0.0, 1e6, "", true};
    CHECK(describe_range(tau) == "(0, 1e6] ms");
    ParamDecl p{"p", Dim::none, 0.1, 0.0, 1.0, ""};
    CHECK(describe_range(p) == "[0, 1]");
    ParamDecl lo;
    lo.dim = Dim::time;
    lo.min = 0.0;
    CHECK(describe_range(lo) == ">= 0 ms");
    ParamDecl any;
    any.dim = Dim::current;
    CHECK(describe_range(any) == "any value");
}
