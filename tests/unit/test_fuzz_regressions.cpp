// Inputs the fuzzers (tests/fuzz/) found to crash, hang or exhaust memory, kept as
// regression tests: each must now be refused with the reader's own error (or read), in the
// ordinary test suite and under the sanitizers, without the fuzzing toolchain.
#include "io/h5_error.hpp"
#include "io/hdf5_reader.hpp"
#include "io/scenario.hpp"
#include "models/builtin.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace apical;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> files_in(const std::string& sub) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(fs::path(APICAL_SOURCE_DIR) / "tests/fuzz/regressions" / sub))
        if (e.is_regular_file()) out.push_back(e.path());
    return out;
}

} // namespace

TEST_CASE("fuzz regressions: damaged result files are refused with Hdf5Error", "[hdf5][fuzz]") {
    const auto files = files_in("hdf5_reader");
    REQUIRE(!files.empty());
    for (const auto& f : files) {
        INFO(f.string());
        bool refused = false;
        try {
            io::Hdf5Reader r(f.string());
            for (const auto& p : r.spike_populations()) (void)r.spikes(p);
            for (const auto& n : r.report_names())
                for (const auto& p : r.report_populations(n)) (void)r.report(n, p);
            for (const auto& p : r.rate_populations()) (void)r.rates(p);
        } catch (const io::Hdf5Error& e) {
            refused = true;
            CHECK(std::string(e.what()).find(f.string()) == 0); // names the file
        }
        CHECK(refused);
    }
}

TEST_CASE("fuzz regressions: bad scenario texts are refused with ScenarioError", "[scenario][fuzz]") {
    const Registry reg = models::builtin_registry();
    for (const auto& f : files_in("scenario")) {
        INFO(f.string());
        std::ifstream in(f, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        CHECK_THROWS_AS(io::parse_scenario(text.str(), "/nonexistent-fuzz-dir/fuzz.yaml", {}, reg), io::ScenarioError);
    }
}
