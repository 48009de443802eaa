// The `htm` population in scenarios: size from parameters, choices, input tables (CSV)
// and their errors at FILE:LINE:COL, and the records an htm group emits.
#include "io/csv_table.hpp"
#include "io/scenario.hpp"
#include "sim_helpers.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace apical;
using namespace apical::io;
using Catch::Matchers::Contains;

namespace {

std::filesystem::path temp_dir() {
    auto d = std::filesystem::temp_directory_path() / ("apical_htm_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
}

std::string write(const std::string& name, const std::string& text) {
    const auto p = temp_dir() / name;
    std::ofstream(p) << text;
    return p.string();
}

std::string error_of(const std::string& yaml) {
    const Registry reg = models::builtin_registry();
    try {
        load_scenario(write("s.yaml", yaml), {}, reg);
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "";
}

struct RecordSink : test::MemorySink {
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<double>> times, values;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::uint64_t>> ids;
    void records(std::uint32_t p, std::uint32_t r, std::span<const double> t, std::span<const std::uint64_t> id,
                 std::span<const double> v) override {
        times[{p, r}].insert(times[{p, r}].end(), t.begin(), t.end());
        ids[{p, r}].insert(ids[{p, r}].end(), id.begin(), id.end());
        values[{p, r}].insert(values[{p, r}].end(), v.begin(), v.end());
    }
};

} // namespace

TEST_CASE("htm scenario: size follows columns x cells_per_column; choices by name", "[htm][scenario]") {
    write("d.csv", "timestamp,value\n2024-01-01 00:00,1\n2024-01-01 00:05,2\n");
    const Registry reg = models::builtin_registry();
    const auto s =
        load_scenario(write("s.yaml", "populations:\n  h: {model: htm, csv: d.csv, parameters: {columns: 64, "
                                      "cells_per_column: 4, inhibition: local, value_encoder: scalar, "
                                      "value_max: 10}}\n"),
                      {}, reg);
    const auto& p = s.net.populations[0];
    CHECK(p.size == 256);
    const ModelInfo* m = reg.model("htm");
    CHECK(p.params[m->param_index("inhibition")] == 1.0);
    CHECK(p.params[m->param_index("value_encoder")] == 1.0);
    REQUIRE(p.table.rows() == 2);
    CHECK(p.table.columns == std::vector<std::string>{"timestamp", "value"});
    CHECK(p.table.datetime[0]);
    CHECK(p.table.at(0, 0) == 1704067200.0); // 2024-01-01 00:00 UTC
    CHECK(p.table.at(1, 0) == 1704067200.0 + 300.0);
    CHECK(p.table.at(1, 1) == 2.0);
}

TEST_CASE("htm scenario errors name the place and what is allowed", "[htm][scenario]") {
    write("d.csv", "timestamp,value\n1,2\n");
    CHECK_THAT(error_of("populations:\n  h: {model: htm, size: 10, csv: d.csv}\n"),
               Contains("s.yaml:2:") && Contains("does not match the 65536 cells"));
    CHECK_THAT(error_of("populations:\n  h: {model: htm, csv: d.csv, parameters: {inhibition: regional}}\n"),
               Contains("s.yaml:2:") && Contains("global") && Contains("local"));
    CHECK_THAT(error_of("populations:\n  h: {model: lif, size: 2, csv: d.csv}\n"),
               Contains("s.yaml:2:") && Contains("takes no input table") && Contains("htm"));
    CHECK_THAT(error_of("simulation: {dt: 0.1 ms}\npopulations:\n  h: {model: htm, csv: d.csv, parameters: "
                        "{step_interval: 0.25 ms}}\n"),
               Contains("s.yaml:3:") && Contains("multiple of simulation.dt"));
    CHECK_THAT(error_of("populations:\n  h: {model: htm}\n"), Contains("no input"));
    CHECK_THAT(error_of("populations:\n  h: {model: htm, csv: missing.csv}\n"), Contains("no such file"));
    write("bad.csv", "timestamp,value\n1,2\n2,x3\n");
    CHECK_THAT(error_of("populations:\n  h: {model: htm, csv: bad.csv}\n"),
               Contains("bad.csv:3:3:") && Contains("'x3'") && Contains("not a number or a date-time"));
    write("short.csv", "timestamp,value\n1,2\n2\n");
    CHECK_THAT(error_of("populations:\n  h: {model: htm, csv: short.csv}\n"), Contains("short.csv:3:1:"));
    write("mixed.csv", "t,v\n2024-01-01,1\n5,2\n");
    CHECK_THAT(error_of("populations:\n  h: {model: htm, csv: mixed.csv}\n"),
               Contains("mixed.csv:3:1:") && Contains("mixes numbers and date-times"));
}

TEST_CASE("csv dates: ISO forms, UTC, round trip through format_datetime", "[htm][scenario]") {
    CHECK(parse_datetime("1970-01-01") == 0.0);
    CHECK(parse_datetime("1970-01-02T00:00Z") == 86400.0);
    CHECK(parse_datetime("2000-03-01 12:30:15") == 951868800.0 + 12 * 3600 + 30 * 60 + 15); // 2000 is a leap year
    CHECK(!parse_datetime("2000-13-01"));
    CHECK(!parse_datetime("12:00"));
    CHECK(format_datetime(951913815.0) == "2000-03-01 12:30:15");
}

TEST_CASE("htm group: no spatial pooler, scalar input as columns: step times, bursts, anomaly records",
          "[htm][scenario]") {
    // Without an SP the encoder bits are the active columns: a category encoder with
    // 1 bit per category, 4 categories -> column = category. The series 0 1 2 3 0 1 2 3 ...
    const Registry reg = models::builtin_registry();
    NetworkDesc net;
    net.dt = 0.5;
    net.populations.push_back(test::population(reg, "h", "htm", 4 * 2,
                                               {{"columns", 4},
                                                {"cells_per_column", 2},
                                                {"spatial_pooler", 0},
                                                {"step_interval", 2.0},
                                                {"value_encoder", 2},
                                                {"value_size", 1},
                                                {"value_max", 4},
                                                {"activation_threshold", 1},
                                                {"min_threshold", 1},
                                                {"max_new_synapse_count", 1},
                                                {"initial_permanence", 0.5}}));
    Table& t = net.populations[0].table;
    t.columns = {"timestamp", "value"};
    t.datetime = {false, false};
    for (int k = 0; k < 6; ++k) t.values.insert(t.values.end(), {100.0 + k, static_cast<double>(k % 4)});
    Simulation sim(net, reg);
    RecordSink sink;
    sim.run(20.0, sink); // 10 step slots, but the table ends after 6 rows
    // Synapses start connected (initial 0.5 = connected): one presentation learns each
    // transition. Steps 0..3 burst (0 1 2 3 first seen); step 4 (0 after 3) bursts too
    // (3 -> 0 not seen yet); step 5 (1 after 0) is predicted.
    const auto& bt = sink.times[{0, 0}];
    CHECK(bt == std::vector<double>{0, 2, 4, 6, 8});
    CHECK(sink.ids[{0, 0}] == std::vector<std::uint64_t>{0, 1, 2, 3, 0});
    const auto& ht = sink.times[{0, 1}];
    REQUIRE(ht == std::vector<double>{0, 2, 4, 6, 8, 10});
    const auto& hv = sink.values[{0, 1}]; // timestamp, value, anomaly, likelihood, log likelihood
    CHECK(hv[0] == 100.0);
    CHECK(hv[5 * 5 + 0] == 105.0);
    CHECK(hv[5 * 5 + 1] == 1.0);
    CHECK(hv[5 * 5 + 2] == 0.0);
    CHECK(hv[4 * 5 + 2] == 1.0);
    // spikes: bursting steps 2 cells each, the predicted step 5 one cell
    const auto& sp = sink.pops[0];
    CHECK(sp.times.size() == 5 * 2 + 1);
    CHECK(sp.times.back() == 10.0);
    CHECK(sp.ids.back() / 2 == 1); // a cell of column 1
}
