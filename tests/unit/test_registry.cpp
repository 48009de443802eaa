#include "models/builtin.hpp"

#include <catch2/catch.hpp>

using namespace apical;

TEST_CASE("builtin registry declares models, stimuli and rules", "[registry]") {
    const Registry r = models::builtin_registry();
    REQUIRE(r.model("lif") != nullptr);
    REQUIRE(r.model("adex") != nullptr);
    CHECK(r.model("lif")->receptor_index("exc") == 0);
    CHECK(r.model("lif")->param_index("C_m") == 0);
    CHECK(r.model("nope") == nullptr);
    REQUIRE(r.stimulus("poisson") != nullptr);
    CHECK(r.stimulus("poisson")->emits_events);
    CHECK_FALSE(r.stimulus("sinusoidal_current")->emits_events);
    REQUIRE(r.connectivity("fixed_probability") != nullptr);
    CHECK(r.connectivity("fixed_probability")->parameters.at(0).max == 1.0);
}
