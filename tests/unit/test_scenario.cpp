#include "io/scenario.hpp"
#include "models/builtin.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

using namespace apical;
using namespace apical::io;
using Catch::Matchers::Contains;
using Kind = Distribution::Kind;

namespace {

const double inf = std::numeric_limits<double>::infinity();

Scenario parse(const std::string& text, const std::vector<std::string>& sets = {}) {
    const Registry reg = models::builtin_registry();
    return parse_scenario(text, "test.yaml", sets, reg);
}

// The error message of parsing `text`, or "" when it parses.
std::string error_of(const std::string& text, const std::vector<std::string>& sets = {}) {
    try {
        parse(text, sets);
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "";
}

const char* const kFull = R"(name: coba
simulation: {duration: 0.5 s, dt: 0.1 ms, seed: 7, threads: 2, group_size: 300}
populations:
  exc:
    model: lif
    size: 40
    parameters: brette2007_cuba
    overrides: {I_e: 0.01 nA, V_th: -45 mV}
    initial:
      v: {distribution: uniform, low: -60 mV, high: -50 mV}
      g_exc: {distribution: normal, mean: 40 nS, sd: 15 nS, min: 0 nS}
      g_inh: 5 nS
  inh:
    model: adex
    size: 10
    parameters: {C_m: 0.2 nF, tau_w: 0.1 s}
projections:
  ee: {source: exc, target: exc, receptor: exc,
       connectivity: {rule: fixed_probability, p: 0.02, autapses: false}, weight: 6 nS, delay: 1 ms}
  ei: {source: exc, target: inh, receptor: exc_current, compartment: soma,
       connectivity: {rule: fixed_indegree, indegree: 4, multapses: false},
       weight: {distribution: lognormal, mean: 2 pA, sd: 1 pA},
       delay: {distribution: uniform, low: 0.5 ms, high: 1.5 ms}}
  ie: {source: inh, target: exc, receptor: inh, connectivity: {rule: all_to_all}, weight: 67 nS,
       delay: {distribution: normal, mean: 1 ms, sd: 0.2 ms, min: 0.1 ms}}
stimuli:
  drive: {type: poisson, target: exc, receptor: exc, rate: 0.5 kHz, weight: 1 nS, start: 10 ms, cells: [0, 1, 2]}
  spikes_in: {type: spike_times, target: inh, receptor: exc_current, times: [10 ms, 0.02 s], weight: 2 nA}
  inj: {type: step_current, target: exc, compartment: soma, times: [100 ms, 200 ms], values: [0.2 nA, 0 pA]}
  sine: {type: sinusoidal_current, target: inh, offset: 0 pA, amplitude: 100 pA, frequency: 2 Hz}
recording:
  spikes: [inh]
  rates: {populations: [exc], bin: 10 ms}
  bursts: {populations: all, rule: isi, threshold: 8 ms}
  traces:
    vm: {population: exc, variables: [v, g_exc], cells: [0, 1], interval: 0.5 ms}
    w: {population: inh, variables: all, cells: all}
output: {file: out/coba_run.h5}
sweep: {grid: {populations.exc.overrides.I_e: [0 pA, 10 pA]}}
)";

const char* const kMinimal = "populations:\n  a: {model: lif, size: 1}\n";

} // namespace

TEST_CASE("a full scenario lowers into NetworkDesc with canonical numbers", "[scenario]") {
    const Scenario s = parse(kFull);
    const NetworkDesc& n = s.net;
    CHECK(s.name == "coba");
    CHECK(s.file == "test.yaml");
    CHECK(n.duration == 500.0);
    CHECK(n.dt == 0.1);
    CHECK(n.seed == 7);
    CHECK(n.threads == 2);
    CHECK(n.group_size == 300);
    CHECK(s.output_file == "out/coba_run.h5");

    REQUIRE(n.populations.size() == 2);
    const PopulationDesc& exc = n.populations[0];
    CHECK(exc.name == "exc");
    CHECK(exc.model == "lif");
    CHECK(exc.size == 40);
    // lif order: C_m g_L E_L V_th V_reset t_ref I_e tau_exc tau_inh E_exc E_inh.
    // Preset brette2007_cuba sets E_L = -49 mV; overrides set I_e and V_th.
    CHECK(exc.params == std::vector<double>{200, 10, -49, -45, -60, 5, 10, 5, 10, 0, -80});
    REQUIRE(exc.initial.size() == 3);
    CHECK(exc.initial[0].first == 0); // v
    CHECK(exc.initial[0].second.kind == Kind::uniform);
    CHECK(exc.initial[0].second.a == -60.0);
    CHECK(exc.initial[0].second.b == -50.0);
    CHECK(exc.initial[1].first == 1); // g_exc
    CHECK(exc.initial[1].second.kind == Kind::normal);
    CHECK(exc.initial[1].second.a == 40.0);
    CHECK(exc.initial[1].second.b == 15.0);
    CHECK(exc.initial[1].second.lo == 0.0);
    CHECK(exc.initial[1].second.hi == inf);
    CHECK(exc.initial[2].first == 2); // g_inh
    CHECK(exc.initial[2].second.is_constant());
    CHECK(exc.initial[2].second.a == 5.0);

    const PopulationDesc& inh = n.populations[1];
    CHECK(inh.model == "adex");
    CHECK(inh.size == 10);
    // adex order: C_m g_L E_L V_T Delta_T V_peak V_reset V_min t_ref a b tau_w I_e
    // tau_exc tau_inh E_exc E_inh weights_in_g_L refractory_hold integration; C_m = 0.2 nF = 200 pF, tau_w = 0.1 s =
    // 100 ms.
    CHECK(inh.params ==
          std::vector<double>{200, 30, -70.6, -50.4, 2, 0, -70.6, -200, 0, 4, 80.5, 100, 0, 5, 10, 0, -80, 0, 0, 0});
    CHECK(inh.initial.empty());

    REQUIRE(n.projections.size() == 3);
    const ProjectionDesc& ee = n.projections[0];
    CHECK(ee.name == "ee");
    CHECK(ee.source == 0);
    CHECK(ee.target == 0);
    CHECK(ee.receptor == 0);
    CHECK(ee.compartment == 0);
    CHECK(ee.rule == "fixed_probability");
    CHECK(ee.rule_params == std::vector<double>{0.02});
    CHECK_FALSE(ee.autapses);
    CHECK(ee.multapses);
    CHECK(ee.weight.is_constant());
    CHECK(ee.weight.a == 6.0);
    CHECK(ee.delay.a == 1.0);

    const ProjectionDesc& ei = n.projections[1];
    CHECK(ei.source == 0);
    CHECK(ei.target == 1);
    CHECK(ei.receptor == 2); // adex: exc, inh, exc_current, inh_current
    CHECK(ei.rule == "fixed_indegree");
    CHECK(ei.rule_params == std::vector<double>{4});
    CHECK(ei.autapses);
    CHECK_FALSE(ei.multapses);
    // Lognormal with mean 2 pA, sd 1 pA: sigma^2 = ln(1 + 1/4), mu = ln 2 - sigma^2 / 2.
    CHECK(ei.weight.kind == Kind::lognormal);
    CHECK(ei.weight.a == Approx(std::log(2.0) - std::log(1.25) / 2));
    CHECK(ei.weight.b == Approx(std::sqrt(std::log(1.25))));
    CHECK(ei.delay.kind == Kind::uniform);
    CHECK(ei.delay.a == 0.5);
    CHECK(ei.delay.b == 1.5);

    const ProjectionDesc& ie = n.projections[2];
    CHECK(ie.source == 1);
    CHECK(ie.receptor == 1);
    CHECK(ie.rule_params.empty());
    CHECK(ie.weight.a == 67.0);
    CHECK(ie.delay.kind == Kind::normal);
    CHECK(ie.delay.a == 1.0);
    CHECK(ie.delay.b == 0.2);
    CHECK(ie.delay.lo == 0.1);

    REQUIRE(n.stimuli.size() == 4);
    REQUIRE(s.net.stimuli.size() == 4);
    const StimulusDesc& drive = n.stimuli[0];
    CHECK(drive.type == "poisson");
    CHECK(drive.target == 0);
    CHECK(drive.receptor == 0);
    CHECK(drive.params == std::vector<double>{500, 10, inf}); // rate, start, stop
    CHECK(drive.cells == std::vector<std::uint32_t>{0, 1, 2});
    CHECK(s.net.stimuli[0].weight == 1.0);
    const StimulusDesc& sp = n.stimuli[1];
    CHECK(sp.target == 1);
    CHECK(sp.receptor == 2);
    CHECK(sp.params.empty());
    CHECK(sp.times == std::vector<double>{10, 20});
    CHECK(sp.cells.empty());
    CHECK(s.net.stimuli[1].weight == 2000.0); // 2 nA in pA
    const StimulusDesc& inj = n.stimuli[2];
    CHECK(inj.compartment == 0);
    CHECK(inj.times == std::vector<double>{100, 200});
    CHECK(inj.values == std::vector<double>{200, 0});
    CHECK(s.net.stimuli[2].weight == 0.0);
    const StimulusDesc& sine = n.stimuli[3];
    // offset, amplitude, frequency, phase, start, stop
    CHECK(sine.params == std::vector<double>{0, 100, 2, 0, 0, inf});

    const RecordingDesc& r = s.recording;
    CHECK(r.spikes == std::vector<bool>{false, true});
    CHECK(r.rate_populations == std::vector<std::uint32_t>{0});
    CHECK(r.rate_bin == 10.0);
    CHECK(r.burst_populations == std::vector<std::uint32_t>{0, 1});
    CHECK(r.burst_rule == "isi");
    CHECK(r.burst_threshold == 8.0);
    REQUIRE(n.probes.size() == 2);
    CHECK(n.probes[0].name == "vm");
    CHECK(n.probes[0].population == 0);
    CHECK(n.probes[0].variables == std::vector<int>{0, 1});
    CHECK(n.probes[0].cells == std::vector<std::uint32_t>{0, 1});
    CHECK(n.probes[0].interval == 0.5);
    CHECK(n.probes[1].population == 1);
    CHECK(n.probes[1].variables == std::vector<int>{0, 1, 2, 3, 4, 5});
    CHECK(n.probes[1].cells == std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    CHECK(n.probes[1].interval == 0.1); // default: dt

    CHECK_THAT(s.sweep_yaml, Contains("populations.exc.overrides.I_e"));
}

TEST_CASE("resolved YAML reads back to the same network", "[scenario]") {
    const Scenario a = parse(kFull, {"simulation.duration=200 ms"});
    const Scenario b = parse(a.resolved_yaml);
    CHECK(b.net.duration == 200.0);
    CHECK(b.net.populations[0].params == a.net.populations[0].params);
    CHECK(b.net.projections[1].weight.a == a.net.projections[1].weight.a);
    CHECK(b.net.stimuli[2].values == a.net.stimuli[2].values);
    CHECK(b.recording.spikes == a.recording.spikes);
    CHECK(b.output_file == a.output_file);
}

TEST_CASE("defaults fill what the scenario leaves out", "[scenario]") {
    const Registry reg = models::builtin_registry();
    const Scenario s = parse_scenario(kMinimal, "runs/minimal.yaml", {}, reg);
    CHECK(s.name == "minimal"); // from the file name
    CHECK(s.output_file == "minimal.h5");
    CHECK(s.net.duration == 1000.0);
    CHECK(s.net.dt == 0.1);
    CHECK(s.net.seed == 1);
    CHECK(s.net.threads == 0);
    CHECK(s.net.group_size == 0); // automatic: resolved_group_size
    CHECK(s.net.populations.at(0).params == default_values(reg.model("lif")->parameters));
    CHECK(s.net.projections.empty());
    CHECK(s.net.stimuli.empty());
    CHECK(s.net.probes.empty());
    CHECK(s.recording.spikes == std::vector<bool>{true});
    CHECK(s.recording.rate_bin == 0.0);
    CHECK(s.recording.burst_populations.empty());
    CHECK(s.sweep_yaml.empty());

    const Scenario named = parse("name: run1\n" + std::string(kMinimal));
    CHECK(named.output_file == "run1.h5");

    // Parameters omitted from a stimulus or rule take the declared defaults.
    const Scenario st =
        parse(std::string(kMinimal) + "stimuli:\n  c: {type: constant_current, target: a, amplitude: 5 pA}\n"
                                      "projections:\n  p: {source: a, target: a, receptor: exc, connectivity: {rule: "
                                      "fixed_probability}, weight: 1 nS, delay: 0.1 ms}\n");
    CHECK(st.net.stimuli[0].params == std::vector<double>{5, 0, inf});
    CHECK(st.net.projections[0].rule_params == std::vector<double>{0.1});
    CHECK(st.net.projections[0].autapses);
    CHECK(st.net.projections[0].multapses);
}

TEST_CASE("parameters apply in order: defaults, preset or map, overrides", "[scenario]") {
    auto params = [](const std::string& pop) {
        return parse("populations:\n  a: " + pop + "\n").net.populations[0].params;
    };
    // lif indices: E_L = 2, V_th = 3, I_e = 6.
    const auto preset = params("{model: lif, size: 1, parameters: brette2007_cuba}");
    CHECK(preset[2] == -49.0);
    const auto preset_over = params("{model: lif, size: 1, parameters: brette2007_cuba, overrides: {E_L: -52 mV}}");
    CHECK(preset_over[2] == -52.0);
    CHECK(preset_over[3] == -50.0);
    const auto map_over = params("{model: lif, size: 1, parameters: {E_L: -55 mV, V_th: -45 mV}, "
                                 "overrides: {E_L: -52 mV, I_e: 1 nA}}");
    CHECK(map_over[2] == -52.0);
    CHECK(map_over[3] == -45.0);
    CHECK(map_over[6] == 1000.0);
}

TEST_CASE("distributions", "[scenario]") {
    auto init = [](const std::string& v) {
        return parse("populations:\n  a: {model: lif, size: 1, initial: {v: " + v + "}}\n")
            .net.populations[0]
            .initial.at(0)
            .second;
    };
    const Distribution c = init("-0.065 V");
    CHECK(c.is_constant());
    CHECK(c.a == -65.0);
    const Distribution u = init("{distribution: uniform, low: -70 mV, high: -0.05 V}");
    CHECK(u.kind == Kind::uniform);
    CHECK(u.a == -70.0);
    CHECK(u.b == -50.0);
    const Distribution nm = init("{distribution: normal, mean: -60 mV, sd: 2 mV, min: -65 mV, max: -55 mV}");
    CHECK(nm.kind == Kind::normal);
    CHECK(nm.lo == -65.0);
    CHECK(nm.hi == -55.0);
    const Distribution nu = init("{distribution: normal, mean: -60 mV, sd: 2 mV}");
    CHECK(nu.lo == -inf);
    CHECK(nu.hi == inf);
    // sd 0: sigma 0, mu = ln(mean).
    const Distribution ln0 = init("{distribution: lognormal, mean: 1 mV, sd: 0 mV}");
    CHECK(ln0.a == 0.0);
    CHECK(ln0.b == 0.0);
    // mean 1, sd 1: sigma^2 = ln 2, mu = -ln(2) / 2.
    const Distribution ln1 = init("{distribution: lognormal, mean: 1 mV, sd: 1 mV}");
    CHECK(ln1.a == Approx(-std::log(2.0) / 2));
    CHECK(ln1.b == Approx(std::sqrt(std::log(2.0))));

    auto err = [](const std::string& v) {
        return error_of("populations:\n  a: {model: lif, size: 1, initial: {v: " + v + "}}\n");
    };
    CHECK_THAT(err("{distribution: uniform, low: -50 mV, high: -60 mV}"), Contains("must be >= low (-50 mV)"));
    CHECK_THAT(err("{distribution: normal, mean: -60 mV, sd: -1 mV}"), Contains("sd: must be >= 0"));
    CHECK_THAT(err("{distribution: lognormal, mean: -1 mV, sd: 1 mV}"), Contains("mean: must be > 0"));
    CHECK_THAT(err("{distribution: uniform, low: -50 mV}"), Contains("missing required key 'high'"));
    CHECK_THAT(err("{distribution: uniform, low: -60 mV, hi: -50 mV}"), Contains("did you mean 'high'?"));
    CHECK_THAT(err("{low: -60 mV, high: -50 mV}"), Contains("missing required key 'distribution'"));
}

TEST_CASE("weights carry the unit of the target receptor", "[scenario]") {
    auto proj = [](const std::string& receptor, const std::string& weight) {
        return "populations:\n  a: {model: lif, size: 2}\nprojections:\n  p: {source: a, target: a, receptor: " +
               receptor + ", connectivity: {rule: one_to_one}, weight: " + weight + ", delay: 1 ms}\n";
    };
    CHECK(parse(proj("exc", "6 nS")).net.projections[0].weight.a == 6.0);
    CHECK(parse(proj("exc", "0.5 uS")).net.projections[0].weight.a == 500.0);
    CHECK(parse(proj("exc_current", "0.1 nA")).net.projections[0].weight.a == 100.0);
    CHECK(parse(proj("voltage", "0.5 mV")).net.projections[0].weight.a == 0.5);
    CHECK_THAT(error_of(proj("exc", "6 pA")), Contains("expected a conductance (nS, pS, uS, mS, S), got \"6 pA\""));
    CHECK_THAT(error_of(proj("exc_current", "6 nS")), Contains("expected a current (pA, nA, uA, mA, A), got \"6 nS\""));
    // Stimulus weights follow the same rule.
    const std::string stim = "populations:\n  a: {model: lif, size: 2}\nstimuli:\n  s: {type: poisson, target: a, "
                             "receptor: exc_current, rate: 10 Hz, weight: ";
    CHECK(parse(stim + "3 pA}\n").net.stimuli.at(0).weight == 3.0);
    CHECK_THAT(error_of(stim + "3 nS}\n"), Contains("stimuli.s.weight: expected a current"));
}

TEST_CASE("set overrides (--set) change the tree before validation", "[scenario][set]") {
    const Scenario s = parse(kFull, {"simulation.duration=200 ms", "recording.spikes=[exc]", "populations.exc.size=7",
                                     "projections.ee.weight=2 nS", "populations.inh.overrides.I_e=5 pA",
                                     "projections.ie.delay={distribution: uniform, low: 1 ms, high: 2 ms}"});
    CHECK(s.net.duration == 200.0);
    CHECK(s.recording.spikes == std::vector<bool>{true, false});
    CHECK(s.net.populations[0].size == 7);
    CHECK(s.net.projections[0].weight.a == 2.0);
    CHECK(s.net.populations[1].params[12] == 5.0); // adex I_e, `overrides` created by --set
    CHECK(s.net.projections[2].delay.kind == Kind::uniform);
    CHECK_THAT(s.resolved_yaml, Contains("duration: 200 ms"));
    CHECK_THAT(s.resolved_yaml, Contains("I_e: 5 pA"));

    // Later overrides win; a missing top-level section is created.
    const Scenario m = parse(kMinimal, {"simulation.seed=3", "simulation.seed=4", "name=x"});
    CHECK(m.net.seed == 4);
    CHECK(m.output_file == "x.h5");
}

TEST_CASE("set override (--set) errors point into the argument", "[scenario][set]") {
    // <--set>:N:COL, N = which --set (1-based), COL = 1-based column in KEY=VALUE.
    const std::string typo = error_of(kMinimal, {"simulation.durration=5 ms"});
    CHECK_THAT(typo, Contains("<--set>:1:12: unknown key 'durration'; did you mean 'duration'?"));
    const std::string pop = error_of(kMinimal, {"simulation.seed=2", "populations.b.size=5"});
    CHECK_THAT(pop, Contains("<--set>:2:13: unknown population 'b'; did you mean 'a'? allowed: a"));
    const std::string unit = error_of(kMinimal, {"simulation.dt=5 mV"});
    CHECK_THAT(unit, Contains("<--set>:1:15: simulation.dt: expected a time (ms, s, us), got \"5 mV\""));
    const std::string inner = error_of(kMinimal, {"populations.a.initial={v: {distribution: uniform, low: 1 mV}}"});
    CHECK_THAT(inner, Contains("<--set>:1:27: populations.a.initial.v: missing required key 'high'"));
    CHECK_THAT(error_of(kMinimal, {"nokey"}), Contains("<--set>:1:1: expected KEY=VALUE"));
    CHECK_THAT(error_of(kMinimal, {"populations.a.size.x=1"}),
               Contains("<--set>:1:20: cannot set populations.a.size.x"));
    CHECK_THAT(error_of(kMinimal, {"simulation.dt="}), Contains("<--set>:1:15: empty value"));
    CHECK_THAT(error_of(kMinimal, {"simulation.dt=[1 ms"}), Contains("<--set>:1:"));
    CHECK_THAT(error_of(kMinimal, {"simulation..dt=1 ms"}), Contains("<--set>:1:12: empty segment"));
    // A replaced value is located in the argument, not where the file had it.
    CHECK_THAT(error_of(kMinimal, {"populations.a.size=0"}),
               Contains("<--set>:1:20: populations.a.size: expected a whole number"));
    CHECK_THAT(error_of(kMinimal, {"simulation.seed=2", "simulation.durration=200ms"}),
               Contains("<--set>:2:12: unknown key 'durration'; did you mean 'duration'? allowed: duration, dt, seed, "
                        "threads, event_times, group_size (in simulation)"));
}

TEST_CASE("errors carry the file position of the offending node", "[scenario]") {
    try {
        parse("populations:\n  a: {model: lif, size: 1}\nsimulation: {dt: 1 parsec}\n");
        FAIL("no error");
    } catch (const ScenarioError& e) {
        CHECK(e.file() == "test.yaml");
        CHECK(e.line() == 3);
        CHECK(e.col() == 18);
        CHECK_THAT(e.what(), Contains("test.yaml:3:18: simulation.dt: unknown unit \"parsec\""));
    }
    CHECK_THAT(error_of(""), Contains("test.yaml:1:1: a scenario is a map"));
    const Registry reg = models::builtin_registry();
    CHECK_THROWS_WITH(load_scenario("/nonexistent/x.yaml", {}, reg), Contains("/nonexistent/x.yaml:1:1: cannot open"));
}

TEST_CASE("more validation rules", "[scenario]") {
    const std::string pops = "populations:\n  a: {model: lif, size: 5}\n  b: {model: lif, size: 3}\n";
    CHECK_THAT(error_of(pops + "recording:\n  traces:\n    t: {population: a, variables: [v], cells: [0, 0]}\n"),
               Contains("cell 0 is listed twice"));
    CHECK_THAT(error_of(pops + "recording:\n  traces:\n    t: {population: a, variables: [v], cells: [5]}\n"),
               Contains("cell 5 does not exist; population a has 5 cells"));
    CHECK_THAT(error_of(pops + "recording:\n  traces:\n    t: {population: a, variables: [v]}\n"),
               Contains("missing required key 'cells'"));
    CHECK_THAT(error_of(pops + "recording:\n  rates: {populations: [a]}\n"), Contains("missing required key 'bin'"));
    CHECK_THAT(error_of(pops + "recording:\n  spikes: [a, a]\n"), Contains("population a is listed twice"));
    CHECK(parse(pops + "recording:\n  spikes: none\n").recording.spikes == std::vector<bool>{false, false});
    CHECK(parse(pops + "recording:\n  spikes: [b]\n").recording.spikes == std::vector<bool>{false, true});
    CHECK_THAT(error_of("simulation: {duration: 0.05 ms}\n" + pops), Contains("must be >= simulation.dt"));
    CHECK_THAT(error_of(pops + "stimuli:\n  s: {type: spike_times, target: a, receptor: exc, weight: 1 nS}\n"),
               Contains("missing required key 'times'"));
    CHECK_THAT(
        error_of(pops + "stimuli:\n  s: {type: spike_times, target: a, receptor: exc, weight: 1 nS, times: []}\n"),
        Contains("expected at least one value"));
    CHECK_THAT(error_of(pops + "stimuli:\n  s: {type: spike_times, target: a, receptor: exc, weight: 1 nS, "
                               "times: [-1 ms]}\n"),
               Contains("stimuli.s.times = -1 ms is out of range; allowed: >= 0 ms"));
    CHECK_THAT(error_of(pops + "stimuli:\n  s: {type: poisson, target: a, receptor: exc, weight: 1 nS, rate: 1 Hz, "
                               "delay: 1 ms}\n"),
               Contains("allowed: type, target, cells, compartment, receptor, weight, rate, start, stop"));
    CHECK_THAT(error_of("name: a b\n" + pops), Contains("bad scenario name"));
    CHECK_THAT(error_of(pops + "output: {}\n"), Contains("output: missing required key 'file'"));
    CHECK_THAT(error_of("populations: {}\n"), Contains("at least one population"));
    CHECK_THAT(error_of("populations:\n  all: {model: lif, size: 1}\n"),
               Contains("test.yaml:2:3: population name 'all' is reserved"));
}

TEST_CASE("the example at the top of docs/scenario.md is valid", "[scenario][docs]") {
    std::ifstream in(std::filesystem::path(APICAL_SOURCE_DIR) / "docs" / "scenario.md");
    REQUIRE(in);
    std::string line, yaml;
    bool inside = false;
    while (std::getline(in, line)) {
        if (!inside && line == "```yaml") {
            inside = true;
        } else if (inside && line == "```") {
            break;
        } else if (inside) {
            yaml += line + "\n";
        }
    }
    const Scenario s = parse(yaml);
    CHECK(s.net.populations.size() == 2);
    CHECK(s.net.stimuli.at(0).cells == std::vector<std::uint32_t>{0, 1, 2});
    CHECK(s.net.stimuli.at(1).values == std::vector<double>{200, 0});
    CHECK(s.output_file == "coba.h5");
}

TEST_CASE("stimulus cells: all means every cell", "[scenario]") {
    const Scenario s = parse(std::string(kMinimal) +
                             "stimuli:\n  s: {type: constant_current, target: a, amplitude: 1 pA, cells: all}\n");
    CHECK(s.net.stimuli.at(0).cells.empty());
}

TEST_CASE("every bad scenario in the corpus fails where it says", "[scenario][corpus]") {
    const Registry reg = models::builtin_registry();
    const std::filesystem::path dir = std::filesystem::path(APICAL_SOURCE_DIR) / "tests" / "bad_scenarios";
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".yaml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 25);
    for (const auto& f : files) {
        std::ifstream in(f);
        std::string expect, at;
        std::getline(in, expect);
        std::getline(in, at);
        INFO(f.filename().string());
        REQUIRE(expect.rfind("# expect: ", 0) == 0);
        REQUIRE(at.rfind("# at: ", 0) == 0);
        expect = expect.substr(10);
        at = at.substr(6);
        std::string what;
        try {
            load_scenario(f.string(), {}, reg);
        } catch (const ScenarioError& e) {
            what = e.what();
        }
        INFO(what);
        REQUIRE_FALSE(what.empty());
        CHECK_THAT(what, Contains(f.string() + ":" + at + ": "));
        CHECK_THAT(what, Contains(expect));
    }
}
