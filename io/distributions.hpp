// Reading a value that may be random: weights, delays, initial states.
//   6 nS                                             constant
//   {distribution: uniform, low: 1 ms, high: 2 ms}
//   {distribution: normal, mean: 40 nS, sd: 15 nS, min: 0 nS, max: 80 nS}   min/max optional (clip)
//   {distribution: lognormal, mean: 1 nS, sd: 0.5 nS}                       mean/sd of the values
// Lowered to core's Distribution (core/network.hpp), lognormal as mu/sigma of the log.
#pragma once
#include "core/network.hpp"
#include "io/yaml_check.hpp"

namespace apical::io {

Distribution read_distribution(const Checker& c, const YAML::Node& n, Dim d, const std::string& path);

} // namespace apical::io
