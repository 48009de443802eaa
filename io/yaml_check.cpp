#include "io/yaml_check.hpp"

#include "io/suggest.hpp"
#include "io/units.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace apical::io {
namespace {

std::string describe_node(const YAML::Node& n) {
    switch (n.Type()) {
    case YAML::NodeType::Scalar: return "\"" + n.Scalar() + "\"";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    default: return "nothing";
    }
}

} // namespace

std::string format_number(double x) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, x);
    // to_chars writes "1e+06"; people write (and YAML readers accept) "1e6".
    std::string s(buf, r.ptr);
    if (const auto e = s.find('e'); e != std::string::npos) {
        std::string exp = s.substr(e + 1);
        const bool neg = exp.front() == '-';
        if (exp.front() == '+' || neg) exp.erase(0, 1);
        exp.erase(0, std::min(exp.find_first_not_of('0'), exp.size() - 1));
        s = s.substr(0, e + 1) + (neg ? "-" : "") + exp;
    }
    return s;
}

std::string format_quantity(double x, Dim d) {
    return d == Dim::none ? format_number(x) : format_number(x) + " " + std::string(canonical_unit(d));
}

std::string describe_range(const ParamDecl& d) {
    const bool lo = std::isfinite(d.min), hi = std::isfinite(d.max);
    std::string r;
    if (lo && hi)
        r = (d.min_exclusive ? "(" : "[") + format_number(d.min) + ", " + format_number(d.max) + "]" +
            (d.dim == Dim::none ? "" : " " + std::string(canonical_unit(d.dim)));
    else if (lo) r = (d.min_exclusive ? "> " : ">= ") + format_quantity(d.min, d.dim);
    else if (hi) r = "<= " + format_quantity(d.max, d.dim);
    else r = "any value";
    return d.integer ? r + ", a whole number" : r;
}

void Checker::expect_map(const YAML::Node& n, const std::string& path) const {
    if (!n.IsMap()) fail(n, path + ": expected a map ({key: value, ...}), got " + describe_node(n));
}

void Checker::keys(const YAML::Node& n, const std::string& path, const std::vector<std::string>& allowed) const {
    expect_map(n, path);
    for (const auto& kv : n) {
        if (!kv.first.IsScalar()) fail(kv.first, path + ": keys must be plain names, got " + describe_node(kv.first));
        const std::string& k = kv.first.Scalar();
        bool ok = false;
        for (auto& a : allowed) ok = ok || a == k;
        if (!ok) fail(kv.first, unknown_choice("key", k, allowed) + " (in " + path + ")");
    }
}

YAML::Node Checker::key_node(const YAML::Node& m, const std::string& key) const {
    if (m.IsMap())
        for (const auto& kv : m)
            if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.first;
    return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node Checker::required(const YAML::Node& m, const std::string& key, const std::string& path) const {
    const YAML::Node v = m[key];
    if (!v.IsDefined()) fail(m, path + ": missing required key '" + key + "'");
    return v;
}

std::string Checker::scalar(const YAML::Node& n, const std::string& path) const {
    if (!n.IsScalar()) fail(n, path + ": expected a single value, got " + describe_node(n));
    return n.Scalar();
}

std::string Checker::name(const YAML::Node& key, const std::string& what) const {
    const std::string s = scalar(key, what);
    bool ok = !s.empty();
    for (char c : s) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
    if (!ok)
        fail(key, "bad " + what + " name \"" + s +
                      "\"; allowed: letters, digits, '_' and '-' (names appear in --set paths and output groups)");
    return s;
}

double Checker::quantity(const YAML::Node& n, Dim d, const std::string& path) const {
    const std::string s = scalar(n, path);
    try {
        return parse_in(s, d);
    } catch (const UnitError& e) {
        fail(n, path + ": " + e.what());
    }
}

double Checker::param(const YAML::Node& n, const ParamDecl& d, const std::string& path) const {
    if (!d.choices.empty()) {
        const std::string w = scalar(n, path);
        for (std::size_t i = 0; i < d.choices.size(); ++i)
            if (d.choices[i] == w) return static_cast<double>(i);
        fail(n, path + ": " + unknown_choice(d.name, w, d.choices));
    }
    const double x = quantity(n, d.dim, path);
    const bool below = d.min_exclusive ? !(x > d.min) : x < d.min;
    if (below || x > d.max || (d.integer && x != std::floor(x)))
        fail(n, path + " = " + format_quantity(x, d.dim) + " is out of range; allowed: " + describe_range(d));
    return x;
}

std::uint64_t Checker::whole(const YAML::Node& n, const std::string& path, std::uint64_t lo, std::uint64_t hi) const {
    const std::string s = scalar(n, path);
    std::uint64_t x = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    const std::string range = "a whole number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    if (ec != std::errc() || end != s.data() + s.size() || x < lo || x > hi)
        fail(n, path + ": expected " + range + ", got " + describe_node(n));
    return x;
}

bool Checker::boolean(const YAML::Node& n, const std::string& path) const {
    const std::string s = scalar(n, path);
    if (s == "true") return true;
    if (s == "false") return false;
    fail(n, path + ": expected true or false, got " + describe_node(n));
}

void Checker::expect_sequence(const YAML::Node& n, const std::string& path) const {
    if (!n.IsSequence()) fail(n, path + ": expected a list ([a, b, ...]), got " + describe_node(n));
}

void Checker::no_duplicate_keys(const YAML::Node& n) const {
    if (n.IsSequence()) {
        for (const auto& c : n) no_duplicate_keys(c);
    } else if (n.IsMap()) {
        std::vector<YAML::Node> seen;
        for (const auto& kv : n) {
            if (kv.first.IsScalar())
                for (const auto& s : seen)
                    if (s.Scalar() == kv.first.Scalar()) {
                        const YAML::Mark m = s.Mark();
                        fail(kv.first, "duplicate key '" + kv.first.Scalar() + "' (first at line " +
                                           std::to_string(m.line + 1) + ", column " + std::to_string(m.column + 1) +
                                           "); each name may appear once");
                    }
            seen.push_back(kv.first);
            no_duplicate_keys(kv.second);
        }
    }
}

} // namespace apical::io
