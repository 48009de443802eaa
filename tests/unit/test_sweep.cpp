// Sweep designs (grid, point lists, sampled designs), point seeds, array shares, the
// sweep directory's manifest, and the event/burst statistics of the summary.
#include "io/hdf5_writer.hpp"
#include "io/inspect.hpp"
#include "io/sweep_dir.hpp"
#include "io/sweep_summary.hpp"
#include "io/units.hpp"

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

using namespace apical;
using namespace apical::io;
namespace fs = std::filesystem;

namespace {

SweepDesign design_of(const std::string& sweep_yaml, const std::string& base_dir = ".") {
    return expand(parse_sweep_spec("name: x\n" + sweep_yaml, "s.yaml", base_dir), "s.yaml");
}

std::string error_of(const std::string& sweep_yaml) {
    try {
        design_of(sweep_yaml);
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "";
}

double value(const std::string& text) { return parse_quantity(text).value; }

} // namespace

TEST_CASE("a grid is the cartesian product, the last key varying fastest", "[sweep]") {
    const SweepDesign d = design_of("sweep:\n  grid:\n    a.x: [1 ms, 2 ms]\n    b.y: [10, 20, 30]\n");
    REQUIRE(d.keys == std::vector<std::string>{"a.x", "b.y"});
    REQUIRE(d.points.size() == 6);
    CHECK(d.points[0] == std::vector<std::string>{"1 ms", "10"});
    CHECK(d.points[1] == std::vector<std::string>{"1 ms", "20"});
    CHECK(d.points[3] == std::vector<std::string>{"2 ms", "10"});
    CHECK(d.points[5] == std::vector<std::string>{"2 ms", "30"});
    CHECK(d.seed_column() == -1);
    // Collections become flow-style YAML text that --set reads back.
    const SweepDesign c = design_of("sweep: {grid: {recording.spikes: [[exc], all]}}\n");
    CHECK(c.points[0][0] == "[exc]");
    CHECK(c.points[1][0] == "all");
}

TEST_CASE("replicate seeds are a grid axis", "[sweep]") {
    const SweepDesign d = design_of("sweep: {grid: {a.x: [1, 2], simulation.seed: [7, 8, 9]}}\n");
    CHECK(d.points.size() == 6);
    CHECK(d.seed_column() == 1);
}

TEST_CASE("grid arguments split values at top-level commas and replace an axis of the same key", "[sweep]") {
    SweepSpec s = parse_sweep_spec("sweep: {grid: {a.x: [1, 2]}}\n", "s.yaml", ".");
    add_grid_argument(s, "a.x=3,4,5", 1);
    add_grid_argument(s, "b.y=[exc, inh],{low: 1 ms, high: 2 ms}, 'a,b'", 2);
    const SweepDesign d = expand(s, "s.yaml");
    REQUIRE(d.keys == std::vector<std::string>{"a.x", "b.y"});
    REQUIRE(d.points.size() == 9);
    CHECK(d.points[0] == std::vector<std::string>{"3", "[exc, inh]"});
    CHECK(d.points[1][1] == "{low: 1 ms, high: 2 ms}");
    CHECK(d.points[2][1] == "'a,b'");
    CHECK_THROWS_WITH(add_grid_argument(s, "nokey", 3),
                      Catch::Contains("<--grid>:3:1") && Catch::Contains("KEY=V1,V2"));
    CHECK_THROWS_WITH(add_grid_argument(s, "a.x=1,,2", 4), Catch::Contains("empty value"));
}

TEST_CASE("a point list gives one point per row", "[sweep]") {
    TempDir tmp("sweep_list");
    tmp.write("points.csv", "a.x,b.y\n1 ms,10\n\"2 ms\",20\n5 ms,30\n");
    const SweepDesign d = design_of("sweep: {list: points.csv, grid: {c.z: [1, 2]}}\n", tmp.dir.string());
    REQUIRE(d.keys == std::vector<std::string>{"a.x", "b.y", "c.z"});
    REQUIRE(d.points.size() == 6);
    CHECK(d.points[2] == std::vector<std::string>{"2 ms", "20", "1"});
    const std::string bad = tmp.write("bad.csv", "a.x,b.y\n1 ms,10\n2 ms\n");
    SweepSpec s;
    CHECK_THROWS_WITH(set_point_list(s, bad), Catch::Contains("bad.csv:3:1") && Catch::Contains("1 fields"));
    const std::string badkey = tmp.write("badkey.csv", "a.x,b y\n1,2\n");
    CHECK_THROWS_WITH(set_point_list(s, badkey), Catch::Contains("badkey.csv:1:2") && Catch::Contains("key path"));
}

TEST_CASE("sampled designs: counts, ranges, strata and reproducibility", "[sweep]") {
    const std::string yaml = "sweep:\n  sample:\n    method: METHOD\n    points: 40\n    seed: 3\n    ranges:\n"
                             "      a.rate: {low: 10 Hz, high: 1 kHz, scale: log}\n"
                             "      b.g: {low: 1 nS, high: 5 nS}\n"
                             "      c.n: {low: 2, high: 6, integer: true}\n";
    for (const std::string method : {"random", "latin_hypercube"}) {
        std::string text = yaml;
        text.replace(text.find("METHOD"), 6, method);
        const SweepDesign d = design_of(text);
        REQUIRE(d.points.size() == 40);
        std::set<double> ns;
        for (const auto& p : d.points) {
            CHECK(p[0].find(" Hz") != std::string::npos);
            CHECK(p[1].find(" nS") != std::string::npos);
            const double r = value(p[0]), g = value(p[1]), n = value(p[2]);
            CHECK(r >= 10.0);
            CHECK(r <= 1000.0);
            CHECK(g >= 1.0);
            CHECK(g <= 5.0);
            CHECK(n == std::floor(n));
            ns.insert(n);
        }
        CHECK(ns == std::set<double>{2, 3, 4, 5, 6});
        CHECK(design_of(text).points == d.points); // same seed, same points
        std::string other = text;
        other.replace(other.find("seed: 3"), 7, "seed: 4");
        CHECK(design_of(other).points != d.points);
        if (method == "latin_hypercube") {
            // One point in each of the 40 equal strata, per dimension (log scale: in log).
            std::set<int> rate_strata, g_strata;
            for (const auto& p : d.points) {
                const double ur = std::log(value(p[0]) / 10.0) / std::log(100.0), ug = (value(p[1]) - 1.0) / 4.0;
                rate_strata.insert(std::min(39, static_cast<int>(ur * 40)));
                g_strata.insert(std::min(39, static_cast<int>(ug * 40)));
            }
            CHECK(rate_strata.size() == 40);
            CHECK(g_strata.size() == 40);
        }
    }
    // Adding a range leaves the others' values as they were (one stream per dimension).
    const SweepDesign one = design_of("sweep: {sample: {method: random, points: 5, seed: 1, ranges: "
                                      "{a.x: {low: 0, high: 1}}}}\n");
    const SweepDesign two = design_of("sweep: {sample: {method: random, points: 5, seed: 1, ranges: "
                                      "{a.x: {low: 0, high: 1}, b.y: {low: 0, high: 1}}}}\n");
    for (std::size_t i = 0; i < 5; ++i) CHECK(one.points[i][0] == two.points[i][0]);
}

TEST_CASE("sweep section errors carry FILE:LINE:COL and the allowed choices", "[sweep]") {
    CHECK_THAT(error_of("sweep:\n  gird: {a.x: [1]}\n"),
               Catch::StartsWith("s.yaml:3:3") && Catch::Contains("grid") && Catch::Contains("sample"));
    CHECK_THAT(error_of("sweep:\n  grid: {a.x: 5}\n"), Catch::StartsWith("s.yaml:3:15") && Catch::Contains("list"));
    CHECK_THAT(error_of("sweep:\n  grid: {a.x: []}\n"), Catch::Contains("at least one value"));
    CHECK_THAT(error_of("sweep:\n  sample: {method: sobol, points: 3, ranges: {a.x: {low: 0, high: 1}}}\n"),
               Catch::Contains("latin_hypercube"));
    CHECK_THAT(error_of("sweep:\n  sample: {method: random, points: 3, ranges: {a.x: {low: 1 ms, high: 2 mV}}}\n"),
               Catch::Contains("same dimension"));
    CHECK_THAT(error_of("sweep:\n  sample: {method: random, points: 3, ranges: {a.x: {low: 2, high: 1}}}\n"),
               Catch::Contains("high must be greater"));
    CHECK_THAT(error_of("sweep:\n  sample: {method: random, points: 3, ranges: {a.x: {low: 0, high: 1}}}\n  grid: "
                        "{a.x: [1]}\n"),
               Catch::Contains("swept twice"));
}

TEST_CASE("point seeds are deterministic, distinct and exact in a double", "[sweep]") {
    std::set<std::uint64_t> seen;
    for (std::size_t i = 0; i < 1000; ++i) {
        const std::uint64_t s = point_seed(1, i);
        CHECK(s == point_seed(1, i));
        CHECK(s < (std::uint64_t{1} << 53));
        seen.insert(s);
    }
    CHECK(seen.size() == 1000);
    CHECK(point_seed(2, 0) != point_seed(1, 0));
}

TEST_CASE("array tasks cover every point exactly once", "[sweep]") {
    for (std::size_t n : {0u, 1u, 7u, 100u})
        for (std::size_t k : {1u, 3u, 8u}) {
            std::vector<int> hits(n, 0);
            for (std::size_t t = 0; t < k; ++t)
                for (std::size_t i : task_share(n, t, k)) ++hits[i];
            CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
        }
}

TEST_CASE("the manifest reads back, and write_once refuses another sweep", "[sweep]") {
    TempDir tmp("sweep_manifest");
    SweepManifest m;
    m.keys = {"a.x", "b.y"};
    m.values = {{"1 ms", "[exc, inh]"}, {"2 ms", "all"}};
    m.seeds = {11, 12};
    const std::string dir = (tmp.dir / "sw").string();
    REQUIRE(write_once(dir, "design.csv", manifest_text(m)));
    CHECK(write_once(dir, "design.csv", manifest_text(m))); // same text: fine
    const SweepManifest r = read_manifest(dir);
    CHECK(r.keys == m.keys);
    CHECK(r.values == m.values);
    CHECK(r.seeds == m.seeds);
    m.seeds[1] = 13;
    CHECK_FALSE(write_once(dir, "design.csv", manifest_text(m)));
    CHECK(point_on_disk(dir, 0).state == PointState::missing);
    write_failure(dir, 1, "numerical failure: v = nan\nhint", 0.5);
    const PointOnDisk f = point_on_disk(dir, 1);
    CHECK(f.state == PointState::failed);
    CHECK(f.message == "numerical failure: v = nan\nhint");
    CHECK(f.wall_seconds == 0.5);
}

TEST_CASE("events and bursts by the ISI rule (gap > 16 ms starts an event)", "[sweep]") {
    TempDir tmp("sweep_bursts");
    const std::string path = (tmp.dir / "b.h5").string();
    OutputMeta m;
    m.apical_version = "test";
    m.name = "b";
    m.t_stop = 200.0;
    m.population_names = {"p"};
    m.population_sizes = {2};
    m.record_spikes = {true};
    {
        Hdf5Writer w(path, m);
        // cell 0: {1, 5} burst, {40} single, {100, 110, 115} burst;
        // cell 1: {50, 66} burst (a gap of exactly 16 ms stays in the event), {120} single.
        const std::vector<double> t{1, 5, 40, 50, 66, 100, 110, 115, 120};
        const std::vector<std::uint64_t> id{0, 0, 0, 1, 1, 0, 0, 0, 1};
        w.spikes(0, t, id);
        w.reached(200.0);
        w.finish(true, 200.0, 0.1);
    }
    const InspectResult r = inspect(path);
    const PopulationSummary& p = r.populations.at(0);
    CHECK(p.events == 5);
    CHECK(p.bursts == 3);
    CHECK(p.burst_probability == Approx(0.6));
    CHECK(p.event_rate_hz == Approx(5.0 / 2 / 0.2));
    std::vector<std::string> names;
    const std::vector<PopulationStats> st = result_statistics(path, names);
    REQUIRE(names == std::vector<std::string>{"p"});
    CHECK(st[0].rate_hz == Approx(9.0 / 2 / 0.2));
    CHECK(st[0].burst_probability == Approx(0.6));
    CHECK(std::isnan(st[0].mean_anomaly)); // no /htm/p/anomaly
}
