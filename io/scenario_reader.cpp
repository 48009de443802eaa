// The scenario schema: YAML tree -> validated NetworkDesc + RecordingDesc. Model,
// stimulus and rule names, parameters, receptors and variables all come from the
// Registry; this file knows only the scenario's own keys.
#include "core/distribution.hpp"
#include "io/csv_table.hpp"
#include "io/distributions.hpp"
#include "io/scenario.hpp"
#include "io/set_override.hpp"
#include "io/suggest.hpp"
#include "io/yaml_check.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <set>
#include <stdexcept>
#include <type_traits>

namespace apical::io {
namespace {

using Node = YAML::Node;

template <class V> std::vector<std::string> names_of(const V& v) {
    std::vector<std::string> out;
    for (auto& x : v) {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::string>) out.push_back(x);
        else out.push_back(x.name);
    }
    return out;
}

std::vector<NamedCollection> named_collections() {
    return {{"populations", "population"},
            {"projections", "projection"},
            {"stimuli", "stimulus"},
            {"recording.traces", "trace"}};
}

// True when x is a positive whole multiple of step (up to rounding of decimal input).
bool is_multiple(double x, double step) {
    const double k = std::round(x / step);
    return k >= 1 && std::abs(x - k * step) <= 1e-9 * x;
}

class Reader {
public:
    Reader(const Registry& reg, const SourceMap& src, std::string file) : reg_(reg), c_(src), file_(std::move(file)) {}

    void read(const Node& root, Scenario& s) {
        c_.keys(root, "the scenario",
                {"name", "simulation", "populations", "projections", "stimuli", "recording", "output", "sweep"});
        if (const Node n = root["name"]) s.name = c_.name(n, "scenario");
        if (const Node n = root["simulation"]) simulation(n, s.net);
        dt_ = s.net.dt;
        populations(c_.required(root, "populations", "the scenario"), s.net);
        if (const Node n = root["projections"]) projections(n, s.net);
        if (const Node n = root["stimuli"]) stimuli(n, s);
        recording(root["recording"], s);
        s.output_file = s.name + ".h5";
        if (const Node n = root["output"]) {
            c_.keys(n, "output", {"file"});
            const Node f = c_.required(n, "file", "output");
            s.output_file = c_.scalar(f, "output.file");
            if (s.output_file.empty()) c_.fail(f, "output.file: expected a file name");
        }
        if (const Node n = root["sweep"]) s.sweep_yaml = YAML::Dump(n);
    }

private:
    void simulation(const Node& n, NetworkDesc& net) {
        c_.keys(n, "simulation", {"duration", "dt", "seed", "threads", "event_times", "group_size"});
        if (const Node d = n["event_times"]) {
            const std::string v = c_.scalar(d, "simulation.event_times");
            if (v == "exact") net.event_times = NetworkDesc::EventTimes::exact;
            else if (v == "grid") net.event_times = NetworkDesc::EventTimes::grid;
            else c_.fail(d, "simulation.event_times: " + unknown_choice("event timing", v, {"exact", "grid"}));
        }
        if (const Node d = n["duration"]) net.duration = positive_time(d, "simulation.duration");
        if (const Node d = n["dt"]) net.dt = positive_time(d, "simulation.dt");
        if (const Node d = n["seed"])
            net.seed = c_.whole(d, "simulation.seed", 0, std::numeric_limits<std::uint64_t>::max());
        if (const Node d = n["threads"]) net.threads = static_cast<int>(c_.whole(d, "simulation.threads", 0, 65535));
        if (const Node d = n["group_size"])
            net.group_size = static_cast<std::uint32_t>(c_.whole(d, "simulation.group_size", 0, 65535));
        if (net.duration < net.dt)
            c_.fail(n["duration"] ? n["duration"] : n["dt"],
                    "simulation.duration (" + format_quantity(net.duration, Dim::time) +
                        ") must be >= simulation.dt (" + format_quantity(net.dt, Dim::time) + ")");
        if (!(net.duration / net.dt <= max_run_steps))
            c_.fail(n["duration"] ? n["duration"] : n["dt"],
                    "simulation.duration (" + format_quantity(net.duration, Dim::time) +
                        ") is too long for simulation.dt (" + format_quantity(net.dt, Dim::time) +
                        "); allowed: at most 2^52 steps of dt (" + format_quantity(max_run_steps * net.dt, Dim::time) +
                        ")");
    }

    double positive_time(const Node& n, const std::string& path) const {
        const double t = c_.quantity(n, Dim::time, path);
        if (!(t > 0)) c_.fail(n, path + " = " + format_quantity(t, Dim::time) + " is out of range; allowed: > 0 ms");
        return t;
    }

    void populations(const Node& n, NetworkDesc& net) {
        c_.expect_map(n, "populations");
        if (n.size() == 0) c_.fail(n, "populations: at least one population is required");
        for (const auto& kv : n) {
            PopulationDesc p;
            p.name = c_.name(kv.first, "population");
            // Population lists in `recording` take these words instead of names.
            if (p.name == "all" || p.name == "none")
                c_.fail(kv.first,
                        "population name '" + p.name + "' is reserved (recording lists use it); choose another");
            const std::string path = "populations." + p.name;
            const Node& v = kv.second;
            c_.keys(v, path, {"model", "size", "parameters", "overrides", "initial", "compartments", "csv"});
            const Node model_node = c_.required(v, "model", path);
            p.model = c_.scalar(model_node, path + ".model");
            const ModelInfo* m = reg_.model(p.model);
            if (!m)
                c_.fail(model_node, unknown_choice("model", p.model, names_of(reg_.models())) + " (in " + path + ")");
            // A model that derives its size from its parameters may go without `size:`.
            if (v["size"] || !m->size_from_params)
                p.size = static_cast<std::uint32_t>(c_.whole(c_.required(v, "size", path), path + ".size", 1,
                                                             std::numeric_limits<std::uint32_t>::max()));

            // Later sources win: declared defaults, a preset or a parameter map, then overrides.
            p.params = default_values(m->parameters);
            const std::vector<CompartmentPreset>* tree = &m->default_compartments;
            if (const Node pn = v["parameters"]) {
                if (pn.IsScalar()) {
                    const std::string preset = pn.Scalar();
                    const ParamPreset* ps = m->preset(preset);
                    if (!ps)
                        c_.fail(pn, unknown_choice("preset", preset, names_of(m->presets)) + " (of model " + m->name +
                                        ", in " + path + ".parameters; or give a map of parameter values)");
                    for (auto& [name, value] : ps->values) {
                        const int k = m->param_index(name);
                        if (k < 0)
                            throw std::logic_error("preset " + preset + " of model " + m->name +
                                                   " sets undeclared parameter " + name);
                        p.params[k] = value;
                    }
                    if (!ps->compartments.empty()) tree = &ps->compartments;
                } else {
                    parameter_map(pn, *m, path + ".parameters", p.params);
                }
            }
            if (const Node on = v["overrides"]) parameter_map(on, *m, path + ".overrides", p.params);
            if (m->multi_compartment()) {
                preset_tree(*tree, *m, p);
                if (const Node cn = v["compartments"]) compartments(cn, *m, path + ".compartments", p);
            } else if (const Node cn = c_.key_node(v, "compartments"); cn.IsDefined()) {
                c_.fail(cn, path + ".compartments: model " + m->name + " has a fixed set of compartments (" +
                                join(m->compartments) +
                                "); a compartment tree is given only to multi-compartment models (" +
                                join(multi_compartment_models()) + ")");
            }
            auto spec = std::make_unique<ModelInfo>(population_model(*m, p));
            m = spec.get();
            if (const Node in = v["initial"]) {
                c_.expect_map(in, path + ".initial");
                for (const auto& iv : in) {
                    const std::string var = c_.scalar(iv.first, path + ".initial");
                    const int k = m->variable_index(var);
                    if (k < 0)
                        c_.fail(iv.first, unknown_choice("variable", var, names_of(m->variables)) + " (of model " +
                                              m->name + ", in " + path + ".initial)");
                    p.initial.emplace_back(
                        k, read_distribution(c_, iv.second, m->variables[k].dim, path + ".initial." + var));
                }
            }
            if (const Node cn = c_.key_node(v, "csv"); cn.IsDefined()) {
                if (!m->takes_table)
                    c_.fail(cn, path + ".csv: model " + m->name +
                                    " takes no input table; models that do: " + table_models());
                const std::string rel = c_.scalar(v["csv"], path + ".csv");
                std::filesystem::path f(rel);
                if (f.is_relative()) f = std::filesystem::path(file_).parent_path() / f;
                if (!std::filesystem::exists(f))
                    c_.fail(v["csv"], path + ".csv: no such file: " + f.string() +
                                          " (relative paths are relative to the scenario file)");
                p.table = read_csv_table(f.string());
            }
            if (m->size_from_params) {
                const std::uint32_t implied = m->size_from_params(p.params);
                if (!v["size"]) p.size = implied;
                else if (p.size != implied)
                    c_.fail(v["size"], path + ".size = " + std::to_string(p.size) + " does not match the " +
                                           std::to_string(implied) + " cells its parameters imply; leave size out");
            }
            if (m->check) {
                const PopulationCheck pc{p.params, p.size, dt_, p.table.columns.empty() ? nullptr : &p.table};
                if (const std::string why = m->check(pc); !why.empty()) c_.fail(v, path + ": " + why);
            }
            pop_names_.push_back(p.name);
            pop_models_.push_back(std::move(spec));
            sizes_.push_back(p.size);
            net.populations.push_back(std::move(p));
        }
    }

    static std::string join(const std::vector<std::string>& v) {
        std::string s;
        for (auto& x : v) s += (s.empty() ? "" : ", ") + x;
        return s.empty() ? "none" : s;
    }
    std::vector<std::string> multi_compartment_models() const {
        std::vector<std::string> out;
        for (auto& m : reg_.models())
            if (m.multi_compartment()) out.push_back(m.name);
        return out;
    }

    // A preset's (or the model's default) compartment tree, lowered to values.
    static void preset_tree(const std::vector<CompartmentPreset>& tree, const ModelInfo& m, PopulationDesc& p) {
        for (auto& cp : tree) {
            CompartmentDesc c;
            c.name = cp.name;
            c.params = default_values(m.compartment_parameters);
            for (std::size_t i = 0; i < p.compartments.size(); ++i)
                if (p.compartments[i].name == cp.parent) c.parent = static_cast<int>(i);
            if (!cp.parent.empty() && c.parent < 0)
                throw std::logic_error("model " + m.name + ": preset compartment " + cp.name + " has unknown parent " +
                                       cp.parent);
            for (auto& [name, value] : cp.values) {
                int k = -1;
                for (std::size_t i = 0; i < m.compartment_parameters.size(); ++i)
                    if (m.compartment_parameters[i].name == name) k = static_cast<int>(i);
                if (k < 0)
                    throw std::logic_error("model " + m.name + ": preset compartment " + cp.name +
                                           " sets undeclared parameter " + name);
                c.params[static_cast<std::size_t>(k)] = value;
            }
            p.compartments.push_back(std::move(c));
        }
    }

    // `compartments:` of a population: a map name -> {parent: NAME, PARAMETER: value, ...}.
    // A name already in the tree (from the preset) gets its parameters changed; a new name
    // adds a compartment under `parent` (required, except for the first compartment of an
    // empty tree, which becomes the root).
    void compartments(const Node& n, const ModelInfo& m, const std::string& path, PopulationDesc& p) const {
        c_.expect_map(n, path);
        const auto& decls = m.compartment_parameters;
        for (const auto& kv : n) {
            const std::string name = c_.name(kv.first, "compartment");
            const std::string cpath = path + "." + name;
            int idx = -1;
            for (std::size_t i = 0; i < p.compartments.size(); ++i)
                if (p.compartments[i].name == name) idx = static_cast<int>(i);
            const Node& v = kv.second;
            if (v.IsNull()) {
                if (idx < 0 && !p.compartments.empty())
                    c_.fail(kv.first, cpath + ": a new compartment needs at least 'parent:' (one of " +
                                          join(compartment_names(p)) + ")");
            } else {
                c_.expect_map(v, cpath);
            }
            std::vector<std::string> allowed{"parent"};
            for (auto& d : decls) allowed.push_back(d.name);
            if (!v.IsNull()) c_.keys(v, cpath, allowed);
            int parent = -1;
            const Node pn = v.IsNull() ? Node() : v["parent"];
            if (pn) {
                const std::string pname = c_.scalar(pn, cpath + ".parent");
                for (std::size_t i = 0; i < p.compartments.size(); ++i)
                    if (p.compartments[i].name == pname && static_cast<int>(i) != idx) parent = static_cast<int>(i);
                if (parent < 0 || (idx >= 0 && parent > idx))
                    c_.fail(pn, cpath + ".parent: " + unknown_choice("compartment", pname, compartment_names(p, idx)) +
                                    " (a parent must be listed before its children)");
            }
            if (idx < 0) {
                if (parent < 0 && !p.compartments.empty())
                    c_.fail(kv.first,
                            cpath + ": a new compartment needs 'parent:' (one of " + join(compartment_names(p)) + ")");
                if (p.compartments.size() >= 64) c_.fail(kv.first, cpath + ": at most 64 compartments per cell");
                CompartmentDesc c;
                c.name = name;
                c.parent = parent;
                c.params = default_values(decls);
                p.compartments.push_back(std::move(c));
                idx = static_cast<int>(p.compartments.size() - 1);
            } else if (pn) {
                if (idx == 0) c_.fail(pn, cpath + ".parent: " + name + " is the root of the tree; it has no parent");
                p.compartments[static_cast<std::size_t>(idx)].parent = parent;
            }
            if (v.IsNull()) continue;
            for (std::size_t i = 0; i < decls.size(); ++i)
                if (const Node dn = v[decls[i].name])
                    p.compartments[static_cast<std::size_t>(idx)].params[i] =
                        c_.param(dn, decls[i], cpath + "." + decls[i].name);
        }
    }
    static std::vector<std::string> compartment_names(const PopulationDesc& p, int except = -1) {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < p.compartments.size(); ++i)
            if (static_cast<int>(i) != except) out.push_back(p.compartments[i].name);
        return out;
    }

    void parameter_map(const Node& n, const ModelInfo& m, const std::string& path, std::vector<double>& params) const {
        c_.expect_map(n, path);
        for (const auto& kv : n) {
            const std::string name = c_.scalar(kv.first, path);
            const int k = m.param_index(name);
            if (k < 0)
                c_.fail(kv.first, unknown_choice("parameter", name, names_of(m.parameters)) + " (of model " + m.name +
                                      ", in " + path + ")");
            params[k] = c_.param(kv.second, m.parameters[k], path + "." + name);
        }
    }

    std::string table_models() const {
        std::string out;
        for (auto& m : reg_.models())
            if (m.takes_table) out += (out.empty() ? "" : ", ") + m.name;
        return out.empty() ? "none" : out;
    }

    std::uint32_t population(const Node& n, const std::string& path) const {
        const std::string name = c_.scalar(n, path);
        for (std::size_t i = 0; i < pop_names_.size(); ++i)
            if (pop_names_[i] == name) return static_cast<std::uint32_t>(i);
        c_.fail(n, path + ": " + unknown_choice("population", name, pop_names_));
    }

    // Index of `n` (a name) in the `choices` of model `m`; `what` names the kind.
    std::uint16_t pick(const Node& n, const std::vector<std::string>& choices, const std::string& what,
                       const ModelInfo& m, const std::string& path) const {
        const std::string name = c_.scalar(n, path);
        for (std::size_t i = 0; i < choices.size(); ++i)
            if (choices[i] == name) return static_cast<std::uint16_t>(i);
        c_.fail(n, path + ": " + unknown_choice(what, name, choices) + " (of model " + m.name + ")");
    }

    void projections(const Node& n, NetworkDesc& net) const {
        c_.expect_map(n, "projections");
        for (const auto& kv : n) {
            ProjectionDesc pr;
            pr.name = c_.name(kv.first, "projection");
            const std::string path = "projections." + pr.name;
            const Node& v = kv.second;
            c_.keys(v, path,
                    {"source", "target", "receptor", "compartment", "connectivity", "weight", "delay", "transmit",
                     "stp", "plasticity"});
            pr.source = population(c_.required(v, "source", path), path + ".source");
            pr.target = population(c_.required(v, "target", path), path + ".target");
            const ModelInfo& tm = *pop_models_[pr.target];
            pr.receptor =
                pick(c_.required(v, "receptor", path), names_of(tm.receptors), "receptor", tm, path + ".receptor");
            if (const Node cn = v["compartment"])
                pr.compartment = pick(cn, tm.compartments, "compartment", tm, path + ".compartment");
            const Node conn = c_.required(v, "connectivity", path);
            connectivity(conn, path + ".connectivity", pr);
            if (const KindInfo* rule = reg_.connectivity(pr.rule); rule && rule->check) {
                const ConnectCheck cc = connect_check(net, pr);
                if (const std::string why = rule->check(cc); !why.empty())
                    c_.fail(conn, path + ".connectivity: " + why);
            }
            pr.weight = read_distribution(c_, c_.required(v, "weight", path), tm.receptors[pr.receptor].weight_dim,
                                          path + ".weight");
            const Node dn = c_.required(v, "delay", path);
            pr.delay = read_distribution(c_, dn, Dim::time, path + ".delay");
            check_delay(dn, pr.delay, net.dt, path + ".delay");
            if (const Node tn = v["transmit"]) {
                const std::string t = c_.scalar(tn, path + ".transmit");
                if (t == "spikes") pr.transmit = ProjectionDesc::Transmit::spikes;
                else if (t == "events") pr.transmit = ProjectionDesc::Transmit::events;
                else if (t == "bursts") pr.transmit = ProjectionDesc::Transmit::bursts;
                else
                    c_.fail(tn,
                            path + ".transmit: " + unknown_choice("transmit mode", t, {"spikes", "events", "bursts"}));
            }
            if (const Node sn = v["stp"]) {
                const KindInfo& k =
                    hook_kind(sn, path + ".stp", "model", "short-term plasticity model", reg_.stp_models());
                pr.stp = k.name;
                pr.stp_params = hook_params(sn, k, path + ".stp", "model", true);
            }
            if (const Node pn = v["plasticity"]) {
                const KindInfo& k =
                    hook_kind(pn, path + ".plasticity", "rule", "plasticity rule", reg_.plasticity_rules());
                pr.plasticity = k.name;
                pr.plasticity_params = hook_params(pn, k, path + ".plasticity", "rule", false);
                if (const Node ln = pn["learning"]) pr.learning = schedule(ln, path + ".plasticity.learning");
                if (!pr.delay.is_constant())
                    c_.fail(dn, path + ".delay: a plastic projection needs one constant delay");
            }
            net.projections.push_back(std::move(pr));
        }
    }

    // `stp:` / `plasticity:` maps: {<kind_key>: NAME, [preset: NAME,] PARAMETER: value, ...}.
    const KindInfo& hook_kind(const Node& n, const std::string& path, const char* kind_key, const char* what,
                              const std::vector<KindInfo>& kinds) const {
        c_.expect_map(n, path);
        const Node kn = c_.required(n, kind_key, path);
        const std::string name = c_.scalar(kn, path + "." + kind_key);
        for (auto& k : kinds)
            if (k.name == name) return k;
        c_.fail(kn, path + "." + kind_key + ": " + unknown_choice(what, name, names_of(kinds)));
    }
    std::vector<double> hook_params(const Node& n, const KindInfo& k, const std::string& path, const char* kind_key,
                                    bool presets) const {
        std::vector<std::string> allowed{kind_key};
        if (presets) allowed.push_back("preset");
        else allowed.push_back("learning");
        for (auto& d : k.parameters) allowed.push_back(d.name);
        c_.keys(n, path, allowed);
        std::vector<double> v = default_values(k.parameters);
        if (const Node pn = n["preset"]; presets && pn) {
            const std::string name = c_.scalar(pn, path + ".preset");
            const ParamPreset* ps = k.preset(name);
            if (!ps)
                c_.fail(pn, path + ".preset: " + unknown_choice("preset", name, names_of(k.presets)) + " (of " +
                                k.name + ")");
            for (auto& [pname, value] : ps->values) v.at(static_cast<std::size_t>(k.param_index(pname))) = value;
        }
        for (std::size_t i = 0; i < k.parameters.size(); ++i)
            if (const Node pn = n[k.parameters[i].name])
                v[i] = c_.param(pn, k.parameters[i], path + "." + k.parameters[i].name);
        return v;
    }
    // A list of [start, stop] windows, increasing and not overlapping.
    Schedule schedule(const Node& n, const std::string& path) const {
        c_.expect_sequence(n, path);
        Schedule s;
        double last = -std::numeric_limits<double>::infinity();
        for (const auto& w : n) {
            if (!w.IsSequence() || w.size() != 2) c_.fail(w, path + ": each window is [start, stop], e.g. [1 s, 5 s]");
            const double a = c_.quantity(w[0], Dim::time, path), b = c_.quantity(w[1], Dim::time, path);
            if (!(a < b) || a < last)
                c_.fail(w, path + ": windows need start < stop and must not overlap or go back in time");
            s.start.push_back(a), s.stop.push_back(b);
            last = b;
        }
        return s;
    }

    void connectivity(const Node& n, const std::string& path, ProjectionDesc& pr) const {
        c_.expect_map(n, path);
        const Node rn = c_.required(n, "rule", path);
        pr.rule = c_.scalar(rn, path + ".rule");
        const KindInfo* rule = reg_.connectivity(pr.rule);
        if (!rule)
            c_.fail(rn, path + ".rule: " +
                            unknown_choice("connectivity rule", pr.rule, names_of(reg_.connectivity_rules())));
        std::vector<std::string> allowed{"rule", "autapses", "multapses"};
        for (auto& d : rule->parameters) allowed.push_back(d.name);
        c_.keys(n, path, allowed);
        if (const Node a = n["autapses"]) pr.autapses = c_.boolean(a, path + ".autapses");
        if (const Node a = n["multapses"]) pr.multapses = c_.boolean(a, path + ".multapses");
        pr.rule_params = default_values(rule->parameters);
        for (std::size_t i = 0; i < rule->parameters.size(); ++i) {
            const ParamDecl& d = rule->parameters[i];
            if (const Node pn = n[d.name]) pr.rule_params[i] = c_.param(pn, d, path + "." + d.name);
        }
    }

    // The engine cannot deliver an event sooner than one step after its spike, and its
    // epochs are bounded by the smallest delay: every delay the distribution can
    // produce must be >= dt.
    void check_delay(const Node& n, const Distribution& d, double dt, const std::string& path) const {
        const double lo = value_range(d).min;
        if (lo >= dt) return;
        const std::string need = "delays must be >= simulation.dt (" + format_quantity(dt, Dim::time) + ")";
        switch (d.kind) {
        case Distribution::Kind::constant:
        case Distribution::Kind::uniform:
            c_.fail(n, path + " = " + format_quantity(lo, Dim::time) + " is too short; " + need);
        case Distribution::Kind::normal:
            c_.fail(n, path + ": a normal delay needs 'min:' >= simulation.dt (" + format_quantity(dt, Dim::time) +
                           "), got " + (std::isfinite(lo) ? format_quantity(lo, Dim::time) : "none"));
        case Distribution::Kind::lognormal:
            c_.fail(n, path + ": a lognormal delay can be arbitrarily short; " + need +
                           "; use uniform, or normal with 'min:'");
        }
    }

    std::vector<std::uint32_t> cells(const Node& n, const std::string& path, std::uint32_t pop) const {
        const std::uint32_t size = sizes_[pop];
        std::vector<std::uint32_t> out;
        if (n.IsScalar() && n.Scalar() == "all") {
            for (std::uint32_t i = 0; i < size; ++i) out.push_back(i);
            return out;
        }
        c_.expect_sequence(n, path + " (or 'all')");
        std::set<std::uint64_t> seen;
        for (const auto& e : n) {
            const std::string s = c_.scalar(e, path);
            const std::uint64_t k = c_.whole(e, path, 0, std::numeric_limits<std::uint64_t>::max());
            if (k >= size)
                c_.fail(e, path + ": cell " + s + " does not exist; population " + pop_names_[pop] + " has " +
                               std::to_string(size) + " cells (indices 0.." + std::to_string(size - 1) + ")");
            if (!seen.insert(k).second) c_.fail(e, path + ": cell " + s + " is listed twice");
            out.push_back(static_cast<std::uint32_t>(k));
        }
        return out;
    }

    void stimuli(const Node& n, Scenario& s) const {
        c_.expect_map(n, "stimuli");
        for (const auto& kv : n) {
            StimulusDesc st;
            st.name = c_.name(kv.first, "stimulus");
            const std::string path = "stimuli." + st.name;
            const Node& v = kv.second;
            c_.expect_map(v, path);
            const Node tn = c_.required(v, "type", path);
            st.type = c_.scalar(tn, path + ".type");
            const KindInfo* k = reg_.stimulus(st.type);
            if (!k) c_.fail(tn, path + ".type: " + unknown_choice("stimulus type", st.type, names_of(reg_.stimuli())));

            std::vector<std::string> allowed{"type", "target", "cells", "compartment"};
            if (k->emits_events) allowed.insert(allowed.end(), {"receptor", "weight"});
            for (auto& d : k->parameters) allowed.push_back(d.name);
            for (auto& d : k->lists) allowed.push_back(d.name);
            if (!k->emits_events)
                for (const char* key : {"receptor", "weight"})
                    if (const Node kn = c_.key_node(v, key); kn.IsDefined())
                        c_.fail(kn, path + "." + key + ": a " + st.type +
                                        " stimulus injects a current into 'compartment'; only event stimuli take "
                                        "'receptor' and 'weight'");
            c_.keys(v, path, allowed);

            st.target = population(c_.required(v, "target", path), path + ".target");
            const ModelInfo& tm = *pop_models_[st.target];
            if (const Node cn = v["compartment"])
                st.compartment = pick(cn, tm.compartments, "compartment", tm, path + ".compartment");
            double weight = 0.0;
            if (k->emits_events) {
                st.receptor =
                    pick(c_.required(v, "receptor", path), names_of(tm.receptors), "receptor", tm, path + ".receptor");
                weight =
                    c_.quantity(c_.required(v, "weight", path), tm.receptors[st.receptor].weight_dim, path + ".weight");
            }
            st.params = default_values(k->parameters);
            for (std::size_t i = 0; i < k->parameters.size(); ++i)
                if (const Node pn = v[k->parameters[i].name])
                    st.params[i] = c_.param(pn, k->parameters[i], path + "." + k->parameters[i].name);
            if (k->check_params)
                if (const std::string why = k->check_params(st.params); !why.empty()) c_.fail(v, path + ": " + why);
            lists(v, *k, path, st);
            // Empty means every cell (StimulusDesc), so `all` needs no list.
            if (const Node cn = v["cells"]; cn && !(cn.IsScalar() && cn.Scalar() == "all"))
                st.cells = cells(cn, path + ".cells", st.target);
            st.weight = weight;
            s.net.stimuli.push_back(std::move(st));
        }
    }

    // A kind's lists fill StimulusDesc::times then ::values, in declaration order;
    // several lists are parallel (values[i] belongs to times[i]).
    void lists(const Node& v, const KindInfo& k, const std::string& path, StimulusDesc& st) const {
        if (k.lists.size() > 2)
            throw std::logic_error("stimulus type " + k.name + " declares more than two lists; StimulusDesc has two");
        for (std::size_t i = 0; i < k.lists.size(); ++i) {
            const ParamDecl& d = k.lists[i];
            const Node ln = c_.required(v, d.name, path);
            c_.expect_sequence(ln, path + "." + d.name);
            if (ln.size() == 0) c_.fail(ln, path + "." + d.name + ": expected at least one value");
            std::vector<double>& vals = i == 0 ? st.times : st.values;
            for (const auto& e : ln) vals.push_back(c_.param(e, d, path + "." + d.name));
            if (i > 0 && vals.size() != st.times.size())
                c_.fail(ln, path + "." + d.name + ": has " + std::to_string(vals.size()) + " entries, but " +
                                k.lists[0].name + " has " + std::to_string(st.times.size()) +
                                "; they must be the same length");
        }
    }

    // A list of population names, or `all`; `alternatives` names other accepted words.
    std::vector<std::uint32_t> population_list(const Node& n, const std::string& path,
                                               const std::string& alternatives = "'all'") const {
        if (n.IsScalar() && n.Scalar() == "all") return all_populations();
        if (!n.IsSequence())
            c_.fail(n, path + ": expected a list of population names or " + alternatives + ", got " +
                           (n.IsScalar() ? "\"" + n.Scalar() + "\"" : std::string("a map")));
        std::vector<std::uint32_t> out;
        for (const auto& e : n) {
            const std::uint32_t p = population(e, path);
            for (auto q : out)
                if (q == p) c_.fail(e, path + ": population " + pop_names_[p] + " is listed twice");
            out.push_back(p);
        }
        return out;
    }

    void recording(const Node& n, Scenario& s) const {
        RecordingDesc& r = s.recording;
        r.spikes.assign(pop_names_.size(), true);
        if (!n) return;
        c_.keys(n, "recording", {"spikes", "rates", "bursts", "traces", "weights"});
        if (const Node sp = n["spikes"]) {
            if (sp.IsScalar() && sp.Scalar() == "none") {
                r.spikes.assign(pop_names_.size(), false);
            } else {
                r.spikes.assign(pop_names_.size(), false);
                for (auto p : population_list(sp, "recording.spikes", "'all' or 'none'")) r.spikes[p] = true;
            }
        }
        if (const Node rt = n["rates"]) {
            c_.keys(rt, "recording.rates", {"populations", "bin"});
            const Node pn = rt["populations"];
            r.rate_populations = pn ? population_list(pn, "recording.rates.populations") : all_populations();
            const Node bn = c_.required(rt, "bin", "recording.rates");
            r.rate_bin = positive_time(bn, "recording.rates.bin");
            // A bin shorter than a step holds at most one step's spikes, and their number grows
            // without bound as the bin shrinks (1e-300 ms: 1e300 bins an epoch).
            if (r.rate_bin < s.net.dt)
                c_.fail(bn, "recording.rates.bin (" + format_quantity(r.rate_bin, Dim::time) +
                                ") is out of range; allowed: >= simulation.dt (" +
                                format_quantity(s.net.dt, Dim::time) + ")");
        }
        if (const Node b = n["bursts"]) {
            c_.keys(b, "recording.bursts", {"populations", "rule", "threshold"});
            const Node pn = b["populations"];
            r.burst_populations = pn ? population_list(pn, "recording.bursts.populations") : all_populations();
            if (const Node rn = b["rule"]) {
                r.burst_rule = c_.scalar(rn, "recording.bursts.rule");
                if (r.burst_rule != "trace" && r.burst_rule != "isi")
                    c_.fail(rn,
                            "recording.bursts.rule: " + unknown_choice("burst rule", r.burst_rule, {"trace", "isi"}));
            }
            if (const Node tn = b["threshold"]) r.burst_threshold = positive_time(tn, "recording.bursts.threshold");
            s.net.burst_rule = r.burst_rule;
            s.net.burst_params = {r.burst_threshold};
            s.net.classify.assign(pop_names_.size(), false);
            for (auto p : r.burst_populations) s.net.classify[p] = true;
        }
        if (const Node w = n["weights"]) weights(w, s);
        if (const Node tr = n["traces"]) {
            c_.expect_map(tr, "recording.traces");
            for (const auto& kv : tr) s.net.probes.push_back(trace(kv.first, kv.second, s.net.dt));
        }
    }

    // recording.weights: {projections: [names] | all (the plastic ones), interval, samples}.
    void weights(const Node& w, Scenario& s) const {
        c_.keys(w, "recording.weights", {"projections", "interval", "samples"});
        WeightProbeDesc base;
        base.interval = 10.0;
        base.samples = 10;
        if (const Node in = w["interval"]) {
            base.interval = positive_time(in, "recording.weights.interval");
            if (!is_multiple(base.interval, s.net.dt))
                c_.fail(in, "recording.weights.interval is not a whole multiple of simulation.dt");
        }
        if (const Node sn = w["samples"])
            base.samples = static_cast<std::uint32_t>(c_.whole(sn, "recording.weights.samples", 0, 1000000));
        std::vector<std::string> plastic;
        for (auto& pr : s.net.projections)
            if (!pr.plasticity.empty()) plastic.push_back(pr.name);
        auto add = [&](const std::string& name) {
            for (std::uint32_t i = 0; i < s.net.projections.size(); ++i)
                if (s.net.projections[i].name == name) {
                    WeightProbeDesc d = base;
                    d.projection = i;
                    s.net.weight_probes.push_back(d);
                }
        };
        const Node pn = w["projections"];
        if (!pn || (pn.IsScalar() && pn.Scalar() == "all")) {
            for (auto& n : plastic) add(n);
            return;
        }
        c_.expect_sequence(pn, "recording.weights.projections (or 'all')");
        for (const auto& e : pn) {
            const std::string name = c_.scalar(e, "recording.weights.projections");
            if (std::find(plastic.begin(), plastic.end(), name) == plastic.end())
                c_.fail(e, "recording.weights.projections: " + unknown_choice("plastic projection", name, plastic));
            add(name);
        }
    }

    ProbeDesc trace(const Node& key, const Node& v, double dt) const {
        ProbeDesc pd;
        pd.name = c_.name(key, "trace");
        const std::string path = "recording.traces." + pd.name;
        c_.keys(v, path, {"population", "variables", "cells", "interval"});
        pd.population = population(c_.required(v, "population", path), path + ".population");
        const ModelInfo& m = *pop_models_[pd.population];
        const Node vn = c_.required(v, "variables", path);
        if (vn.IsScalar() && vn.Scalar() == "all") {
            for (std::size_t i = 0; i < m.variables.size(); ++i) pd.variables.push_back(static_cast<int>(i));
        } else {
            c_.expect_sequence(vn, path + ".variables (or 'all')");
            for (const auto& e : vn) {
                const int k = pick(e, names_of(m.variables), "variable", m, path + ".variables");
                for (int q : pd.variables)
                    if (q == k) c_.fail(e, path + ".variables: " + e.Scalar() + " is listed twice");
                pd.variables.push_back(k);
            }
        }
        pd.cells = cells(c_.required(v, "cells", path), path + ".cells", pd.population);
        pd.interval = dt;
        // Samples are taken at step starts, so the interval must be a whole number of steps.
        if (const Node in = v["interval"]) {
            pd.interval = positive_time(in, path + ".interval");
            if (!is_multiple(pd.interval, dt))
                c_.fail(in, path + ".interval = " + format_quantity(pd.interval, Dim::time) +
                                " is not a whole multiple of simulation.dt (" + format_quantity(dt, Dim::time) + ")");
        }
        return pd;
    }

    std::vector<std::uint32_t> all_populations() const {
        std::vector<std::uint32_t> out;
        for (std::uint32_t i = 0; i < pop_names_.size(); ++i) out.push_back(i);
        return out;
    }

    const Registry& reg_;
    Checker c_;
    std::string file_;
    double dt_ = 0.1;
    std::vector<std::string> pop_names_;
    std::vector<std::unique_ptr<ModelInfo>> pop_models_; // per population: model as it sees it
    std::vector<std::uint32_t> sizes_;
};

} // namespace

Scenario parse_scenario(const std::string& yaml_text, const std::string& file_label,
                        const std::vector<std::string>& overrides, const Registry& registry) {
    SourceMap src(file_label);
    Node root = src.load(yaml_text);
    if (!root.IsMap()) src.fail_at(1, 1, "a scenario is a map of keys (name, simulation, populations, ...)");
    const Checker check(src);
    check.no_duplicate_keys(root);
    for (std::size_t i = 0; i < overrides.size(); ++i) {
        apply_override(root, overrides[i], static_cast<int>(i + 1), named_collections(), src);
        check.no_duplicate_keys(root);
    }

    Scenario s;
    s.file = file_label;
    s.name = std::filesystem::path(file_label).stem().string();
    s.resolved_yaml = YAML::Dump(root);
    Reader(registry, src, file_label).read(root, s);
    return s;
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides, const Registry& registry) {
    return parse_scenario(SourceMap::read_file(path), path, overrides, registry);
}

} // namespace apical::io
