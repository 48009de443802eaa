// CSV quoting for `apical export` (the round trips themselves are tests/cli/export_*.py).
#include "io/export_csv.hpp"

#include <catch2/catch.hpp>

using apical::io::csv_field;

TEST_CASE("csv_field quotes only when needed (RFC 4180)", "[export]") {
    CHECK(csv_field("exc") == "exc");
    CHECK(csv_field("") == "");
    CHECK(csv_field("1_v[mV]") == "1_v[mV]");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("line1\nline2") == "\"line1\nline2\"");
    CHECK(csv_field("cr\r") == "\"cr\r\"");
}
