// Burst detection rules, registered as `trace` and `isi` (see burst_rules.cpp).
#pragma once
#include "core/registry.hpp"
#include "core/spike_hooks.hpp"

#include <memory>
#include <string>

namespace apical::models {
// For tests and tools: a classifier by rule name ("trace" or "isi").
std::unique_ptr<SpikeClassifier> make_burst_classifier(const std::string& rule, double threshold,
                                                       std::uint32_t n_cells);
} // namespace apical::models
