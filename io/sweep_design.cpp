#include "io/sweep_design.hpp"

#include "core/random.hpp"
#include "io/csv.hpp"
#include "io/units.hpp"
#include "io/yaml_check.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <set>

namespace apical::io {
namespace {

namespace fs = std::filesystem;
using Node = YAML::Node;

// Random-stream purposes for sweep designs. The engine's Purpose tags count up from 1;
// these sit far above them, so a design never shares a stream with a simulation.
constexpr std::uint32_t purpose_sample = 0x53570001;
constexpr std::uint32_t purpose_point_seed = 0x53570002;

// A YAML value as the text `--set KEY=VALUE` would take: scalars verbatim, collections
// in flow style ("[exc, inh]", "{distribution: uniform, low: 1 ms, high: 2 ms}").
std::string value_text(const Node& n) {
    if (n.IsScalar()) return n.Scalar();
    YAML::Emitter e;
    e << YAML::Flow << n;
    return e.c_str();
}

// A key path: dot-separated names, none empty.
bool valid_key(const std::string& key) {
    if (key.empty() || key.front() == '.' || key.back() == '.') return false;
    return key.find("..") == std::string::npos && key.find_first_of(" \t=,") == std::string::npos;
}

class SpecReader {
public:
    SpecReader(const SourceMap& src, std::string base_dir) : src_(src), c_(src), base_dir_(std::move(base_dir)) {}

    void read(const Node& n, SweepSpec& spec) const {
        c_.keys(n, "sweep", {"grid", "list", "sample"});
        if (const Node g = n["grid"]) grid(g, spec);
        if (const Node l = n["list"]) {
            const std::string f = c_.scalar(l, "sweep.list");
            if (f.empty()) c_.fail(l, "sweep.list: expected a CSV file name");
            const fs::path p = fs::path(f).is_absolute() ? fs::path(f) : fs::path(base_dir_) / f;
            if (!fs::exists(p)) c_.fail(l, "sweep.list: no such file: " + p.string());
            set_point_list(spec, p.string());
        }
        if (const Node s = n["sample"]) sample(s, spec);
        if (n.IsMap() && n.size() == 0) c_.fail(n, "sweep: empty; give grid, list or sample");
    }

private:
    void key(const Node& k, const std::string& path) const {
        if (!valid_key(c_.scalar(k, path)))
            c_.fail(k, path + ": '" + k.Scalar() +
                           "' is not a key path; expected names joined by dots, like "
                           "populations.exc.size");
    }

    void grid(const Node& n, SweepSpec& spec) const {
        c_.expect_map(n, "sweep.grid");
        for (const auto& kv : n) {
            key(kv.first, "sweep.grid");
            const std::string k = kv.first.Scalar();
            const std::string path = "sweep.grid." + k;
            c_.expect_sequence(kv.second, path + " (a list of values)");
            if (kv.second.size() == 0) c_.fail(kv.second, path + ": expected at least one value");
            std::vector<std::string> values;
            for (const auto& v : kv.second) values.push_back(value_text(v));
            spec.grid.emplace_back(k, std::move(values));
        }
    }

    void sample(const Node& n, SweepSpec& spec) const {
        c_.keys(n, "sweep.sample", {"method", "points", "seed", "ranges"});
        const Node m = c_.required(n, "method", "sweep.sample");
        const std::string method = c_.scalar(m, "sweep.sample.method");
        if (method == "random") spec.method = SweepSpec::Method::random;
        else if (method == "latin_hypercube") spec.method = SweepSpec::Method::latin_hypercube;
        else c_.fail(m, "sweep.sample.method: unknown method '" + method + "'; allowed: random, latin_hypercube");
        spec.samples = c_.whole(c_.required(n, "points", "sweep.sample"), "sweep.sample.points", 1, 1000000);
        if (const Node s = n["seed"])
            spec.sample_seed = c_.whole(s, "sweep.sample.seed", 0, std::numeric_limits<std::uint64_t>::max());
        const Node r = c_.required(n, "ranges", "sweep.sample");
        c_.expect_map(r, "sweep.sample.ranges");
        if (r.size() == 0) c_.fail(r, "sweep.sample.ranges: expected at least one key");
        for (const auto& kv : r) {
            key(kv.first, "sweep.sample.ranges");
            SweepRange sr;
            sr.key = kv.first.Scalar();
            const std::string path = "sweep.sample.ranges." + sr.key;
            c_.keys(kv.second, path, {"low", "high", "scale", "integer"});
            const Node lo = c_.required(kv.second, "low", path), hi = c_.required(kv.second, "high", path);
            const Quantity ql = quantity(lo, path + ".low"), qh = quantity(hi, path + ".high");
            if (ql.dim != qh.dim)
                c_.fail(hi, path + ".high is " + describe_dim(qh.dim) + " but low is " + describe_dim(ql.dim) +
                                "; both must have the same dimension");
            if (!(qh.value > ql.value)) c_.fail(hi, path + ": high must be greater than low");
            sr.low = ql.value;
            sr.high = qh.value;
            sr.dim = ql.dim;
            if (const Node s = kv.second["scale"]) {
                const std::string scale = c_.scalar(s, path + ".scale");
                if (scale == "log") sr.log = true;
                else if (scale != "linear")
                    c_.fail(s, path + ".scale: unknown scale '" + scale + "'; allowed: linear, log");
                if (sr.log && !(sr.low > 0)) c_.fail(lo, path + ": a log scale needs low > 0");
            }
            if (const Node i = kv.second["integer"]) sr.integer = c_.boolean(i, path + ".integer");
            if (sr.integer && sr.dim != Dim::none)
                c_.fail(kv.second["integer"], path + ".integer: only dimensionless values can be whole numbers");
            spec.ranges.push_back(sr);
        }
    }

    Quantity quantity(const Node& n, const std::string& path) const {
        try {
            return parse_quantity(c_.scalar(n, path));
        } catch (const UnitError& e) {
            c_.fail(n, path + ": " + e.what());
        }
    }

    const SourceMap& src_;
    Checker c_;
    std::string base_dir_;
};

[[noreturn]] void fail_grid(int index, std::size_t col, const std::string& msg) {
    throw ScenarioError("<--grid>", index, static_cast<int>(col) + 1, msg);
}

// Fisher-Yates with a counter-based stream: the same seed gives the same permutation.
std::vector<std::size_t> permutation(std::size_t n, RandomStream& rng) {
    std::vector<std::size_t> p(n);
    std::iota(p.begin(), p.end(), std::size_t{0});
    for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[rng.below(static_cast<std::uint32_t>(i))]);
    return p;
}

std::string sampled_text(const SweepRange& r, double u) {
    double v = 0.0;
    if (r.integer) {
        // Whole numbers low..high, each an equal share of [0, 1).
        const double lo = std::ceil(r.low), hi = std::floor(r.high);
        v = std::min(hi, lo + std::floor(u * (hi - lo + 1.0)));
    } else if (r.log) {
        v = std::exp(std::log(r.low) + u * (std::log(r.high) - std::log(r.low)));
    } else {
        v = r.low + u * (r.high - r.low);
    }
    const std::string num = format_number(v);
    return r.dim == Dim::none ? num : num + " " + std::string(canonical_unit(r.dim));
}

// The sampled rows: [point][range].
std::vector<std::vector<std::string>> sample_rows(const SweepSpec& spec) {
    const std::size_t n = spec.samples;
    std::vector<std::vector<std::string>> rows(n, std::vector<std::string>(spec.ranges.size()));
    for (std::size_t d = 0; d < spec.ranges.size(); ++d) {
        // One stream per dimension, so adding a range does not change the others.
        RandomStream rng(spec.sample_seed, purpose_sample, d);
        std::vector<std::size_t> strata;
        if (spec.method == SweepSpec::Method::latin_hypercube) strata = permutation(n, rng);
        for (std::size_t i = 0; i < n; ++i) {
            const double u = spec.method == SweepSpec::Method::latin_hypercube
                                 ? (static_cast<double>(strata[i]) + rng.uniform()) / static_cast<double>(n)
                                 : rng.uniform();
            rows[i][d] = sampled_text(spec.ranges[d], u);
        }
    }
    return rows;
}

} // namespace

int SweepDesign::seed_column() const {
    for (std::size_t i = 0; i < keys.size(); ++i)
        if (keys[i] == "simulation.seed") return static_cast<int>(i);
    return -1;
}

SweepSpec parse_sweep_spec(const std::string& yaml_text, const std::string& file_label, const std::string& base_dir) {
    const SourceMap src(file_label);
    const Node root = src.load(yaml_text);
    SweepSpec spec;
    if (!root.IsMap()) return spec;
    if (const Node n = root["sweep"]) SpecReader(src, base_dir).read(n, spec);
    return spec;
}

SweepSpec read_sweep_spec(const std::string& path) {
    return parse_sweep_spec(SourceMap::read_file(path), path, fs::path(path).parent_path().string());
}

void add_grid_argument(SweepSpec& spec, const std::string& arg, int index) {
    const std::size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0)
        fail_grid(index, 0, "expected KEY=V1,V2,... (KEY a dot path like populations.exc.size), got \"" + arg + "\"");
    const std::string key = arg.substr(0, eq);
    if (!valid_key(key)) fail_grid(index, 0, "'" + key + "' is not a key path; expected names joined by dots");
    std::vector<std::string> values;
    int depth = 0;
    char quote = 0;
    std::size_t start = eq + 1;
    auto push = [&](std::size_t end) {
        std::string v = arg.substr(start, end - start);
        const auto a = v.find_first_not_of(' '), b = v.find_last_not_of(' ');
        if (a == std::string::npos) fail_grid(index, start, "empty value in the list for " + key);
        values.push_back(v.substr(a, b - a + 1));
        start = end + 1;
    };
    for (std::size_t i = eq + 1; i < arg.size(); ++i) {
        const char c = arg[i];
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '[' || c == '{') {
            ++depth;
        } else if (c == ']' || c == '}') {
            --depth;
        } else if (c == ',' && depth == 0) {
            push(i);
        }
    }
    push(arg.size());
    for (auto& [k, v] : spec.grid)
        if (k == key) {
            v = std::move(values);
            return;
        }
    spec.grid.emplace_back(key, std::move(values));
}

void set_point_list(SweepSpec& spec, const std::string& csv_path) {
    std::ifstream in(csv_path);
    if (!in) throw ScenarioError(csv_path, 1, 1, "cannot open the point list");
    std::string line;
    spec.list_file = csv_path;
    spec.list_keys.clear();
    spec.list_rows.clear();
    if (!std::getline(in, line))
        throw ScenarioError(csv_path, 1, 1, "empty point list; expected a header of key paths, then one row per point");
    spec.list_keys = split_csv_line(line);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < spec.list_keys.size(); ++i) {
        const std::string& k = spec.list_keys[i];
        if (!valid_key(k))
            throw ScenarioError(csv_path, 1, static_cast<int>(i) + 1,
                                "column " + std::to_string(i + 1) + ": '" + k +
                                    "' is not a key path; the header names scenario keys like populations.exc.size");
        if (!seen.insert(k).second)
            throw ScenarioError(csv_path, 1, static_cast<int>(i) + 1, "key " + k + " is listed twice");
    }
    for (int ln = 2; std::getline(in, line); ++ln) {
        if (line.empty() || line == "\r") continue;
        std::vector<std::string> f = split_csv_line(line);
        if (f.size() != spec.list_keys.size())
            throw ScenarioError(csv_path, ln, 1,
                                std::to_string(f.size()) + " fields; the header has " +
                                    std::to_string(spec.list_keys.size()));
        for (std::size_t i = 0; i < f.size(); ++i)
            if (f[i].empty()) throw ScenarioError(csv_path, ln, 1, "empty value for " + spec.list_keys[i]);
        spec.list_rows.push_back(std::move(f));
    }
    if (spec.list_rows.empty()) throw ScenarioError(csv_path, 2, 1, "no rows: the point list has only a header");
}

SweepDesign expand(const SweepSpec& spec, const std::string& file_label) {
    // Each part is a small table; the design is their product, the last part fastest.
    struct Part {
        std::vector<std::string> keys;
        std::vector<std::vector<std::string>> rows;
    };
    std::vector<Part> parts;
    if (!spec.list_rows.empty()) parts.push_back({spec.list_keys, spec.list_rows});
    if (spec.method != SweepSpec::Method::none) {
        Part p;
        for (const SweepRange& r : spec.ranges) p.keys.push_back(r.key);
        p.rows = sample_rows(spec);
        parts.push_back(std::move(p));
    }
    for (const auto& [key, values] : spec.grid) {
        Part p{{key}, {}};
        for (const std::string& v : values) p.rows.push_back({v});
        parts.push_back(std::move(p));
    }

    SweepDesign d;
    std::set<std::string> seen;
    for (const Part& p : parts)
        for (const std::string& k : p.keys) {
            if (!seen.insert(k).second)
                throw ScenarioError(file_label, 0, 0,
                                    "sweep: key " + k +
                                        " is swept twice (in two of grid, list, sample); a key may "
                                        "be swept by one of them only");
            d.keys.push_back(k);
        }
    if (parts.empty()) return d;
    std::size_t n = 1;
    for (const Part& p : parts) n *= p.rows.size();
    d.points.reserve(n);
    std::vector<std::size_t> at(parts.size(), 0);
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<std::string> row;
        for (std::size_t k = 0; k < parts.size(); ++k)
            row.insert(row.end(), parts[k].rows[at[k]].begin(), parts[k].rows[at[k]].end());
        d.points.push_back(std::move(row));
        for (std::size_t k = parts.size(); k-- > 0;) {
            if (++at[k] < parts[k].rows.size()) break;
            at[k] = 0;
        }
    }
    return d;
}

std::uint64_t point_seed(std::uint64_t base_seed, std::size_t index) {
    RandomStream rng(base_seed, purpose_point_seed, index);
    const std::uint64_t hi = rng.next_u32(), lo = rng.next_u32();
    return ((hi << 32) | lo) >> 11;
}

std::vector<std::size_t> task_share(std::size_t n_points, std::size_t task, std::size_t count) {
    std::vector<std::size_t> out;
    for (std::size_t i = task; i < n_points; i += count) out.push_back(i);
    return out;
}

} // namespace apical::io
