// Short-term plasticity models, registered as `tsodyks_markram` (see stp.cpp).
#pragma once
#include "core/spike_hooks.hpp"

#include <memory>

namespace apical::models {
// For tests: the Tsodyks-Markram state of `n_source` presynaptic cells.
std::unique_ptr<ShortTermPlasticity> make_tsodyks_markram(double U, double f, double tau_D, double tau_F,
                                                          std::uint32_t n_source);
} // namespace apical::models
