// Checked access to a YAML tree: each accessor either returns a well-typed value or
// throws a ScenarioError at the offending node, saying what is wrong and what is
// allowed. `path` arguments are dot paths like "populations.exc.size" (the same
// syntax --set uses), so messages name the value the way a user would address it.
#pragma once
#include "core/registry.hpp"
#include "io/source_map.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

namespace apical::io {

// Shortest text that reads back as the same double ("0.1", "1e+06").
std::string format_number(double x);
// "12 ms" (no unit for dimensionless values).
std::string format_quantity(double x, Dim d);
// The allowed range of a declared parameter: "> 0 ms", "[0, 1]", "any value".
std::string describe_range(const ParamDecl& d);

class Checker {
public:
    explicit Checker(const SourceMap& src) : src_(src) {}

    [[noreturn]] void fail(const YAML::Node& at, const std::string& msg) const { src_.fail(at, msg); }

    void expect_map(const YAML::Node& n, const std::string& path) const;
    // `n` must be a map whose keys are plain scalars from `allowed`.
    void keys(const YAML::Node& n, const std::string& path, const std::vector<std::string>& allowed) const;
    // The key node of `key` in map `m`; undefined when absent.
    YAML::Node key_node(const YAML::Node& m, const std::string& key) const;
    // The value of `key` in map `m`; an error at `m` when absent.
    YAML::Node required(const YAML::Node& m, const std::string& key, const std::string& path) const;

    std::string scalar(const YAML::Node& n, const std::string& path) const;
    // A name used in dot paths and HDF5 group names: letters, digits, '_' and '-'.
    std::string name(const YAML::Node& key, const std::string& what) const;
    // A value of dimension `d`, in canonical units.
    double quantity(const YAML::Node& n, Dim d, const std::string& path) const;
    // A value for a declared parameter: its dimension, bounds and integrality.
    double param(const YAML::Node& n, const ParamDecl& d, const std::string& path) const;
    // A whole number written without sign, fraction or exponent, within [lo, hi].
    std::uint64_t whole(const YAML::Node& n, const std::string& path, std::uint64_t lo, std::uint64_t hi) const;
    bool boolean(const YAML::Node& n, const std::string& path) const;
    void expect_sequence(const YAML::Node& n, const std::string& path) const;

    // Every map in the tree: no key twice (yaml-cpp keeps both and looks up the first).
    void no_duplicate_keys(const YAML::Node& n) const;

private:
    const SourceMap& src_;
};

} // namespace apical::io
